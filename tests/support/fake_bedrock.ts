/**
 * A fake Amazon Bedrock runtime: Converse (`POST /model/{modelId}/converse`, JSON) and
 * ConverseStream (`/converse-stream`, AWS event-stream binary framing)
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html).
 * Every request must carry a SigV4 `authorization` for the `bedrock` service in the fake's
 * region; the fake re-computes the signature from the request it received with the same
 * credentials (@smithy/signature-v4, hashed with node:crypto) and answers 403 as AWS does when
 * it differs. Bodies are checked as Converse does (roles, non-empty content, tool results
 * answering the tool uses of the turn before, `toolConfig` whenever tool blocks appear).
 * @module
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { SignatureV4 } from "@smithy/signature-v4";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import {
  FakeApiError,
  type FakeProvider,
  type ReceivedLlmRequest,
  type ScriptedAnswer,
  startFakeProvider,
  textChunks,
} from "./fake_llm.ts";

/** The test credentials a fake Bedrock accepts. */
export interface FakeAwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** An AWS error: the status, the `x-amzn-ErrorType` name and the `{message}` body. */
class AwsError extends FakeApiError {
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(status, message);
    this.type = type;
  }
}

/** A scripted Bedrock error answer (`ScriptedAnswer.error`), as AWS sends it. */
export function bedrockErrorAnswer(
  status: number,
  type: string,
  message: string,
): NonNullable<ScriptedAnswer["error"]> {
  return { status, body: { message }, headers: { "x-amzn-errortype": errorTypeHeader(type) } };
}

function errorTypeHeader(type: string): string {
  return `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
}

/** Starts the fake for one region and one set of credentials. */
export function startFakeBedrock(
  options: { region: string; credentials: FakeAwsCredentials },
): Promise<FakeProvider> {
  return startFakeProvider(async (request, answer, url) => {
    try {
      await verifySignature(request, url, options);
      const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(url.pathname);
      if (!match || request.method !== "POST") {
        throw new AwsError(404, "UnknownOperationException", `No operation at ${url.pathname}`);
      }
      validateConverse(request.body);
      return match[2] === "converse" ? converse(answer) : converseStream(answer);
    } catch (error) {
      if (!(error instanceof FakeApiError)) throw error;
      // A failed body check is Converse's ValidationException.
      const type = error instanceof AwsError ? error.type : "ValidationException";
      return Response.json({ message: error.message }, {
        status: error.status,
        headers: { "x-amzn-errortype": errorTypeHeader(type) },
      });
    }
  });
}

/** What the signer hands its hasher (@smithy/types `SourceData`). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 and HMAC-SHA-256 for the signer, from node:crypto (not the gateway's hasher). */
class NodeSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined
      ? createHash("sha256")
      : createHmac("sha256", bytesOf(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytesOf(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** AWS SigV4 verification (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html). */
async function verifySignature(
  request: ReceivedLlmRequest,
  url: URL,
  options: { region: string; credentials: FakeAwsCredentials },
): Promise<void> {
  const authorization = request.headers.authorization;
  if (!authorization) {
    throw new AwsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  const parsed = AUTHORIZATION.exec(authorization);
  if (!parsed) {
    throw new AwsError(403, "IncompleteSignatureException", "Authorization header is malformed");
  }
  const [, keyId, day, region, service, signedHeaders, signature] = parsed;
  if (keyId !== options.credentials.accessKeyId) {
    throw new AwsError(
      403,
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  }
  if (region !== options.region) {
    throw new AwsError(
      403,
      "InvalidSignatureException",
      `Credential should be scoped to a valid region: '${options.region}'.`,
    );
  }
  if (service !== "bedrock") {
    throw new AwsError(
      403,
      "InvalidSignatureException",
      "Credential should be scoped to correct service: 'bedrock'.",
    );
  }
  const amzDate = request.headers["x-amz-date"] ?? "";
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!date || !amzDate.startsWith(day!)) {
    throw new AwsError(403, "InvalidSignatureException", "Date must be in ISO-8601 basic format");
  }
  const signingDate = new Date(
    Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!),
  );
  if (Math.abs(Date.now() - signingDate.getTime()) > 5 * 60_000) {
    throw new AwsError(403, "InvalidSignatureException", "Signature expired");
  }
  const body = request.bodyText;
  const declaredHash = request.headers["x-amz-content-sha256"];
  if (
    declaredHash !== undefined && declaredHash !== "UNSIGNED-PAYLOAD" &&
    declaredHash !== createHash("sha256").update(body).digest("hex")
  ) {
    throw new AwsError(
      400,
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(";")) {
    const value = request.headers[name];
    if (value === undefined) {
      throw new AwsError(403, "InvalidSignatureException", `Signed header ${name} is missing`);
    }
    headers[name] = value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: "bedrock",
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  const expected = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    // The path as it arrived (still percent-encoded): SigV4 encodes it once more.
    path: url.pathname,
    query,
    headers,
    body,
  }, { signingDate });
  const computed = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1];
  if (computed !== signature) {
    throw new AwsError(
      403,
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. " +
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
}

type Json = Record<string, unknown>;

const BLOCK_KINDS = new Set([
  "text",
  "image",
  "document",
  "video",
  "toolUse",
  "toolResult",
  "guardContent",
  "cachePoint",
  "reasoningContent",
  "citationsContent",
  "searchResult",
]);

/** The checks Converse makes before it calls the model. */
function validateConverse(body: Json | undefined): void {
  if (!body) throw new FakeApiError(400, "Unable to parse the request body as JSON");
  const messages = body.messages;
  if (!Array.isArray(messages)) {
    throw new FakeApiError(
      400,
      "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null",
    );
  }
  let hasToolBlocks = false;
  let previousToolUses: string[] = [];
  messages.forEach((message: Json, i) => {
    if (message.role !== "user" && message.role !== "assistant") {
      throw new FakeApiError(
        400,
        `1 validation error detected: Value '${message.role}' at 'messages.${
          i + 1
        }.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`,
      );
    }
    if (i === 0 && message.role !== "user") {
      throw new FakeApiError(
        400,
        "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
      );
    }
    if (i > 0 && (messages[i - 1] as Json).role === message.role) {
      throw new FakeApiError(
        400,
        "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.",
      );
    }
    const content = message.content;
    if (!Array.isArray(content) || content.length === 0) {
      throw new FakeApiError(
        400,
        `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`,
      );
    }
    const results: string[] = [];
    content.forEach((block: Json, j) => {
      const kinds = Object.keys(block);
      if (kinds.length !== 1 || !BLOCK_KINDS.has(kinds[0]!)) {
        throw new FakeApiError(
          400,
          `messages.${i}.content.${j}: a ContentBlock holds exactly one member, got ${
            JSON.stringify(kinds)
          }`,
        );
      }
      if (typeof block.text === "string" && block.text.trim() === "") {
        throw new FakeApiError(
          400,
          `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`,
        );
      }
      if (block.toolUse || block.toolResult) hasToolBlocks = true;
      if (block.toolResult) results.push((block.toolResult as Json).toolUseId as string);
    });
    if (results.length > 0 || previousToolUses.length > 0) {
      const missing = previousToolUses.filter((id) => !results.includes(id));
      const extra = results.filter((id) => !previousToolUses.includes(id));
      if (missing.length > 0 || extra.length > 0) {
        throw new FakeApiError(
          400,
          `The toolUse blocks at messages.${
            i - 1
          }.content do not match the toolResult blocks at messages.${i}.content (expected ${
            JSON.stringify(previousToolUses)
          }, got ${JSON.stringify(results)})`,
        );
      }
    }
    previousToolUses = content.filter((block: Json) => block.toolUse)
      .map((block: Json) => (block.toolUse as Json).toolUseId as string);
  });
  if (hasToolBlocks && body.toolConfig === undefined) {
    throw new FakeApiError(
      400,
      "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
    );
  }
  const inference = (body.inferenceConfig ?? {}) as Json;
  for (const name of Object.keys(inference)) {
    if (!["maxTokens", "temperature", "topP", "stopSequences"].includes(name)) {
      throw new FakeApiError(400, `inferenceConfig: unknown member ${name}`);
    }
  }
}

function stopReason(answer: ScriptedAnswer): string {
  if (answer.stopReason === "length") return "max_tokens";
  if (answer.toolCalls?.length) return "tool_use";
  return "end_turn";
}

/** Converse counts cache reads and writes apart from `inputTokens`; `totalTokens` has all. */
function usageOf(answer: ScriptedAnswer) {
  const usage = answer.usage ?? { input: 12, output: 9 };
  const cacheRead = usage.cacheRead ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  return {
    inputTokens: usage.input - cacheRead - cacheWrite,
    outputTokens: usage.output,
    totalTokens: usage.input + usage.output,
    ...(cacheRead ? { cacheReadInputTokens: cacheRead } : {}),
    ...(cacheWrite ? { cacheWriteInputTokens: cacheWrite } : {}),
  };
}

function converse(answer: ScriptedAnswer): Response {
  const content: Json[] = [];
  if (answer.reasoning) {
    content.push({
      reasoningContent: {
        reasoningText: {
          text: answer.reasoning.text,
          ...(answer.reasoning.signature ? { signature: answer.reasoning.signature } : {}),
        },
      },
    });
  }
  if (answer.text !== undefined) content.push({ text: answer.text });
  for (const call of answer.toolCalls ?? []) {
    content.push({
      toolUse: { toolUseId: call.id, name: call.name, input: JSON.parse(call.arguments) },
    });
  }
  return Response.json({
    output: { message: { role: "assistant", content } },
    stopReason: stopReason(answer),
    usage: usageOf(answer),
    metrics: { latencyMs: 42 },
  }, { headers: { "x-amzn-requestid": "fake-request-1" } });
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One AWS event-stream message; `p` is the padding Bedrock adds against length side channels. */
function eventMessage(type: string, payload: Json): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    body: fromUtf8(
      JSON.stringify({ ...payload, p: "abcdefghijklmnopqrstuvwxyz".slice(type.length) }),
    ),
  });
}

function exceptionMessage(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":exception-type": { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "exception" },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

function converseStream(answer: ScriptedAnswer): Response {
  const messages: Uint8Array[] = [eventMessage("messageStart", { role: "assistant" })];
  let index = 0;
  if (answer.reasoning) {
    messages.push(
      eventMessage("contentBlockDelta", {
        contentBlockIndex: index,
        delta: { reasoningContent: { text: answer.reasoning.text } },
      }),
      eventMessage("contentBlockDelta", {
        contentBlockIndex: index,
        delta: { reasoningContent: { signature: answer.reasoning.signature ?? "sig-fake" } },
      }),
      eventMessage("contentBlockStop", { contentBlockIndex: index }),
    );
    index++;
  }
  const chunks = textChunks(answer);
  if (chunks.length > 0) {
    // Text blocks have no contentBlockStart: the first delta opens them.
    for (const text of chunks) {
      messages.push(
        eventMessage("contentBlockDelta", { contentBlockIndex: index, delta: { text } }),
      );
    }
    messages.push(eventMessage("contentBlockStop", { contentBlockIndex: index }));
    index++;
  }
  for (const call of answer.toolCalls ?? []) {
    messages.push(eventMessage("contentBlockStart", {
      contentBlockIndex: index,
      start: { toolUse: { toolUseId: call.id, name: call.name } },
    }));
    const half = Math.ceil(call.arguments.length / 2);
    for (const input of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
      if (input) {
        messages.push(eventMessage("contentBlockDelta", {
          contentBlockIndex: index,
          delta: { toolUse: { input } },
        }));
      }
    }
    messages.push(eventMessage("contentBlockStop", { contentBlockIndex: index }));
    index++;
  }
  messages.push(
    eventMessage("messageStop", { stopReason: stopReason(answer) }),
    eventMessage("metadata", { usage: usageOf(answer), metrics: { latencyMs: 42 } }),
  );
  if (answer.streamError) {
    messages.splice(
      answer.streamError.afterEvents,
      messages.length,
      exceptionMessage(answer.streamError.type, answer.streamError.message),
    );
  }
  let sent = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (answer.cutAfterEvents !== undefined && sent >= answer.cutAfterEvents) {
          controller.error(new Error("fake Bedrock cut the stream"));
          return;
        }
        const message = messages[sent++];
        if (!message) {
          controller.close();
          return;
        }
        // Split each message in two writes: a reader must reassemble frames across chunks.
        const half = Math.floor(message.length / 2);
        controller.enqueue(message.slice(0, half));
        controller.enqueue(message.slice(half));
      },
    }),
    {
      headers: {
        "content-type": "application/vnd.amazon.eventstream",
        "x-amzn-requestid": "fake-request-1",
      },
    },
  );
}
