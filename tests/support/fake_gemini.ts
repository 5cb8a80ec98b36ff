/**
 * A fake Gemini API (https://ai.google.dev/api/generate-content): `generateContent` and
 * `streamGenerateContent?alt=sse` under `/v1beta/models/{model}:…`, key in `x-goog-api-key`.
 * It checks requests as the API does (no unknown fields, `contents` non-empty with roles
 * `user`/`model`, parts not empty, every `functionResponse` turn answering the `functionCall`
 * turn just before it, name for name) and refuses bad ones with Google's error JSON. The
 * request check and the answer are exported for the Vertex fake, which serves the same bodies.
 * @module
 */
import {
  FakeApiError,
  type FakeProvider,
  type ReceivedLlmRequest,
  type ScriptedAnswer,
  sseResponse,
  startFakeProvider,
  textChunks,
} from "./fake_llm.ts";

/** Starts the fake; `requireKey` is the only `x-goog-api-key` it accepts. */
export function startFakeGemini(
  options: { tls?: { cert: string; key: string }; requireKey?: string } = {},
): Promise<FakeProvider> {
  return startFakeProvider((request, answer, url) => {
    try {
      const key = request.headers["x-goog-api-key"];
      if (!key) {
        throw new FakeApiError(
          403,
          "Method doesn't allow unregistered callers (callers without established identity). " +
            "Please use API Key or other form of API consumer identity to call this API.",
        );
      }
      if (options.requireKey && key !== options.requireKey) {
        throw new FakeApiError(400, "API key not valid. Please pass a valid API key.");
      }
      const method = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/
        .exec(url.pathname);
      if (!method || request.method !== "POST") {
        throw new FakeApiError(404, `Method not found: ${request.method} ${url.pathname}`);
      }
      return answerGenerateContent(request, answer, {
        model: decodeURIComponent(method[1]!),
        stream: method[2] === "streamGenerateContent",
        sse: url.searchParams.get("alt") === "sse",
      });
    } catch (error) {
      if (!(error instanceof FakeApiError)) throw error;
      return googleError(error.status, error.message);
    }
  }, options);
}

/** google.rpc.Code names by HTTP status (https://cloud.google.com/apis/design/errors). */
const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

/** The error body every Google API answers with. */
export function googleErrorBody(status: number, message: string) {
  return { error: { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN" } };
}

/** A Google-shaped error response. */
export function googleError(status: number, message: string): Response {
  return Response.json(googleErrorBody(status, message), { status });
}

/** Checks a `GenerateContentRequest` and answers it, buffered or streamed. */
export function answerGenerateContent(
  request: ReceivedLlmRequest,
  answer: ScriptedAnswer,
  options: { model: string; stream: boolean; sse: boolean; vertex?: boolean },
): Response {
  validateGenerateContent(request.body, options.vertex === true);
  const usage = answer.usage ?? { input: 12, output: 9 };
  const common = {
    modelVersion: answer.model ?? options.model,
    responseId: "fake-gemini-response-1",
    ...(options.vertex ? { createTime: "2026-01-01T00:00:00.000000Z" } : {}),
  };
  const usageMetadata = {
    promptTokenCount: usage.input,
    candidatesTokenCount: usage.output,
    totalTokenCount: usage.input + usage.output,
    ...(usage.cacheRead ? { cachedContentTokenCount: usage.cacheRead } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: usage.input }],
    ...(options.vertex ? { trafficType: "ON_DEMAND" } : {}),
  };
  const finishReason = answer.stopReason === "length" ? "MAX_TOKENS" : "STOP";
  if (!options.stream) {
    return Response.json({
      candidates: [{
        content: { role: "model", parts: answerParts(answer) },
        finishReason,
        index: 0,
      }],
      usageMetadata,
      ...common,
    });
  }
  // Each event is a whole GenerateContentResponse with the next parts; the prompt count comes
  // early, the full usage and the finishReason with the last one.
  const chunk = (parts: Record<string, unknown>[], last = false) =>
    JSON.stringify({
      candidates: [{
        content: { role: "model", parts },
        ...(last ? { finishReason } : {}),
        index: 0,
      }],
      usageMetadata: last
        ? usageMetadata
        : { promptTokenCount: usage.input, totalTokenCount: usage.input },
      ...common,
    });
  const events: { data: string }[] = [];
  if (answer.reasoning) {
    events.push({ data: chunk([{ text: answer.reasoning.text, thought: true }]) });
  }
  const signature = answer.reasoning?.signature;
  textChunks(answer).forEach((text, i) => {
    events.push({
      data: chunk([{ text, ...(i === 0 && signature ? { thoughtSignature: signature } : {}) }]),
    });
  });
  if (answer.toolCalls?.length) {
    events.push({ data: chunk(functionCallParts(answer, textChunks(answer).length === 0)) });
  }
  events.push({ data: chunk([{ text: "" }], true) });
  if (answer.streamError) {
    // A failure after the stream began: one data event holding the error, then the end.
    const { afterEvents, type, message } = answer.streamError;
    events.splice(afterEvents, events.length, {
      data: JSON.stringify({ error: { code: 500, message, status: type } }),
    });
  }
  if (!options.sse) {
    // Without alt=sse the API streams one JSON array; agw must never ask for that.
    return new Response(`[${events.map((event) => event.data).join(",\r\n")}]`, {
      headers: { "content-type": "application/json" },
    });
  }
  // Google frames its server-sent events with CRLF.
  return sseResponse(events, answer.cutAfterEvents, { lineEnd: "\r\n" });
}

function answerParts(answer: ScriptedAnswer): Record<string, unknown>[] {
  const parts: Record<string, unknown>[] = [];
  const signature = answer.reasoning?.signature;
  if (answer.reasoning) parts.push({ text: answer.reasoning.text, thought: true });
  if (answer.text !== undefined) {
    parts.push({ text: answer.text, ...(signature ? { thoughtSignature: signature } : {}) });
  }
  parts.push(...functionCallParts(answer, answer.text === undefined));
  return parts;
}

/** Gemini names calls but gives them no id; the thought signature rides on the first part. */
function functionCallParts(answer: ScriptedAnswer, signFirst: boolean): Record<string, unknown>[] {
  const signature = answer.reasoning?.signature;
  return (answer.toolCalls ?? []).map((call, i) => ({
    functionCall: { name: call.name, args: JSON.parse(call.arguments) },
    ...(i === 0 && signFirst && signature ? { thoughtSignature: signature } : {}),
  }));
}

const REQUEST_FIELDS = new Set([
  "contents",
  "tools",
  "toolConfig",
  "safetySettings",
  "systemInstruction",
  "generationConfig",
  "cachedContent",
]);
const VERTEX_REQUEST_FIELDS = new Set([...REQUEST_FIELDS, "labels", "modelArmorConfig"]);
const GENERATION_FIELDS = new Set([
  "stopSequences",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "responseModalities",
  "candidateCount",
  "maxOutputTokens",
  "temperature",
  "topP",
  "topK",
  "seed",
  "presencePenalty",
  "frequencyPenalty",
  "responseLogprobs",
  "logprobs",
  "thinkingConfig",
  "mediaResolution",
  "speechConfig",
  "imageConfig",
]);
const PART_FIELDS = new Set([
  "text",
  "inlineData",
  "fileData",
  "functionCall",
  "functionResponse",
  "executableCode",
  "codeExecutionResult",
  "thought",
  "thoughtSignature",
  "videoMetadata",
  "partMetadata",
]);
/** https://ai.google.dev/api/caching#FunctionDeclaration: the name rule. */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

type Json = Record<string, unknown>;

function unknownField(name: string, at?: string): FakeApiError {
  return new FakeApiError(
    400,
    `Invalid JSON payload received. Unknown name "${name}"${
      at ? ` at '${at}'` : ""
    }: Cannot find field.`,
  );
}

function checkFields(value: unknown, known: ReadonlySet<string>, at?: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FakeApiError(400, `Invalid value at '${at ?? "request"}': expected an object`);
  }
  for (const name of Object.keys(value)) if (!known.has(name)) throw unknownField(name, at);
  return value as Json;
}

/** The checks the API makes before generating. */
export function validateGenerateContent(body: Json | undefined, vertex: boolean): void {
  if (!body) throw new FakeApiError(400, "Invalid JSON payload received.");
  checkFields(body, vertex ? VERTEX_REQUEST_FIELDS : REQUEST_FIELDS);
  if (body.generationConfig !== undefined) {
    checkFields(body.generationConfig, GENERATION_FIELDS, "generation_config");
  }
  if (body.systemInstruction !== undefined) {
    const system = checkFields(body.systemInstruction, new Set(["parts", "role"]), "system");
    checkParts(system.parts, "system_instruction");
  }
  for (const [i, tool] of ((body.tools ?? []) as Json[]).entries()) {
    for (const [j, declaration] of ((tool.functionDeclarations ?? []) as Json[]).entries()) {
      if (typeof declaration.name !== "string" || !FUNCTION_NAME.test(declaration.name)) {
        throw new FakeApiError(
          400,
          `* GenerateContentRequest.tools[${i}].function_declarations[${j}].name: Invalid function name.`,
        );
      }
      if (declaration.parameters !== undefined && declaration.parametersJsonSchema !== undefined) {
        throw new FakeApiError(
          400,
          `tools[${i}].function_declarations[${j}]: parameters and parameters_json_schema are exclusive`,
        );
      }
    }
  }
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    throw new FakeApiError(400, "* GenerateContentRequest.contents: contents is not specified\n");
  }
  let previousCalls: string[] = [];
  contents.forEach((content: Json, i) => {
    checkFields(content, new Set(["role", "parts"]), `contents[${i}]`);
    if (content.role !== undefined && content.role !== "user" && content.role !== "model") {
      throw new FakeApiError(400, "Please use a valid role: user, model.");
    }
    const parts = checkParts(content.parts, `contents[${i}]`);
    const responses = parts.filter((part) => part.functionResponse !== undefined)
      .map((part) => (part.functionResponse as Json).name);
    if (responses.length > 0) {
      if (previousCalls.length === 0) {
        throw new FakeApiError(
          400,
          "Please ensure that function response turn comes immediately after a function call turn.",
        );
      }
      if (responses.length !== previousCalls.length) {
        throw new FakeApiError(
          400,
          "Please ensure that the number of function response parts is equal to the number of " +
            "function call parts of the function call turn.",
        );
      }
      for (const name of responses) {
        if (!previousCalls.includes(name as string)) {
          throw new FakeApiError(
            400,
            `contents[${i}]: function response ${JSON.stringify(name)} answers no function call`,
          );
        }
      }
    }
    previousCalls = parts.filter((part) => part.functionCall !== undefined)
      .map((part) => (part.functionCall as Json).name as string);
  });
}

function checkParts(parts: unknown, at: string): Json[] {
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new FakeApiError(400, `* GenerateContentRequest.${at}.parts: must not be empty.\n`);
  }
  return parts.map((part, j) => {
    const checked = checkFields(part, PART_FIELDS, `${at}.parts[${j}]`);
    const data = Object.keys(checked).filter((name) =>
      name !== "thought" && name !== "thoughtSignature" && name !== "videoMetadata" &&
      name !== "partMetadata"
    );
    if (data.length !== 1) {
      throw new FakeApiError(
        400,
        `* GenerateContentRequest.${at}.parts[${j}].data: required oneof field 'data' must have one initialized field`,
      );
    }
    return checked;
  });
}
