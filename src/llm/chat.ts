/**
 * One chat call (`completions`, `messages`, `responses` routes): read and check the client's
 * body, resolve the model, then either pass it through in the provider's own format (same
 * format on both sides) or translate it through the IR, and answer in the client's format.
 * @module
 */
import type { BackendCall } from "../backends/mod.ts";
import { readBody } from "../http/mod.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import {
  applyBodyPolicy,
  applyPromptsToBody,
  applyPromptsToIr,
  resolveModel,
} from "./body_policy.ts";
import {
  CLIENT_FORMATS,
  type ClientFormat,
  PROVIDER_FORMATS,
  type ProviderFormat,
  type SseEvent,
} from "./formats/mod.ts";
import { invalidRequest, type IrRequest, LlmError } from "./ir.ts";
import { LlmObservation } from "./observation.ts";
import { passthroughDecoder } from "./passthrough_usage.ts";
import type { CompiledProvider } from "./provider_target.ts";
import {
  clientError,
  jsonResponse,
  providerHeaders,
  readUpstreamJson,
  sendToProvider,
} from "./provider_call.ts";
import { inspectStream, providerFrames, translateStream } from "./stream.ts";

/** The largest request body agw parses on an LLM route; a larger one is answered 413. */
export const LLM_REQUEST_LIMIT_BYTES = 16 * 1024 * 1024;

/** Handles a chat route whose client speaks `clientFormat`. */
export async function handleChat(
  call: BackendCall,
  provider: CompiledProvider,
  clientFormatName: "completions" | "messages" | "responses",
): Promise<UpstreamResponse> {
  const client = CLIENT_FORMATS.get(clientFormatName)!;
  const ctx = call.ctx;
  // A retry starts afresh: the log line describes the attempt that answered, once.
  ctx.error = undefined;
  if (ctx.logFields) ctx.logFields = ctx.logFields.filter(([name]) => !name.startsWith("gen_ai."));
  const observation = new LlmObservation(provider.spec.name, "chat", ctx.startMs);
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    observation.finish(ctx, call.metrics);
  };
  try {
    const body = await readClientJson(call);
    ctx.extensions.llmRequest = body;
    applyBodyPolicy(body, ctx);
    const requestModel = typeof body.model === "string" ? body.model : "";
    const model = resolveModel(requestModel, provider, ctx);
    observation.requestModel = requestModel;
    const native = provider.spec.nativeFormat(clientFormatName, model);
    const result = native === clientFormatName
      ? await passthrough(call, provider, client, body, model, observation, finish)
      : await translate(
        call,
        provider,
        client,
        PROVIDER_FORMATS.get(native)!,
        body,
        model,
        observation,
        finish,
      );
    if (!ctx.bodyDone) finish();
    return result;
  } catch (error) {
    observation.error = (error as Error)?.message ?? String(error);
    finish();
    // Transport failures stay ProxyErrors: the retry loop and the flow's 503/504 handle them.
    if (!(error instanceof LlmError)) throw error;
    ctx.error = error.message;
    return clientError(client, error);
  }
}

/** Reads the body (bounded) and parses it as a JSON object; 413 / 400 otherwise. */
async function readClientJson(call: BackendCall): Promise<Record<string, unknown>> {
  const body = call.request.body as ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null;
  const { text } = await readBody(body, LLM_REQUEST_LIMIT_BYTES);
  if (text === undefined) {
    throw new LlmError(413, {
      kind: "requestTooLarge",
      message: `request body is larger than ${LLM_REQUEST_LIMIT_BYTES} bytes`,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidRequest("body", `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest("body", "request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** Same format both sides: the client's body with the model (and usage option) changed. */
async function passthrough(
  call: BackendCall,
  provider: CompiledProvider,
  client: ClientFormat,
  body: Record<string, unknown>,
  model: string,
  observation: LlmObservation,
  finish: () => void,
): Promise<UpstreamResponse> {
  const format = client.name;
  // Decoding gives telemetry its prompt and parameters, and checks the body as translation would.
  // Codecs build the IR without touching their input (CEL's `llmRequest` is the same object),
  // so the body needs no copy: a structuredClone here cost ~8% of a passthrough's CPU.
  let request: IrRequest | undefined;
  try {
    request = client.decodeRequest(body);
    observation.observeRequest(request);
  } catch {
    // A body agw cannot fully read still goes through untouched: the provider judges it.
    observation.streaming = body.stream === true;
  }
  body.model = model;
  applyPromptsToBody(body, format, call.ctx);
  const stream = body.stream === true;
  // OpenAI streams usage only when asked; agw always needs it, the client may not want it.
  let clientWantsUsage = true;
  if (format === "completions" && stream) {
    const options = (body.stream_options ?? {}) as Record<string, unknown>;
    clientWantsUsage = options.include_usage === true;
    body.stream_options = { ...options, include_usage: true };
  }
  const upstream = await sendToProvider(call, provider, {
    call: format,
    model,
    stream,
    body,
    keepClientPath: true,
  });
  const providerFormat = PROVIDER_FORMATS.get(format);
  if (upstream.status >= 400) {
    observation.error = `provider answered ${upstream.status}`;
    return await passthroughError(upstream, client, providerFormat);
  }
  if (stream && upstream.body !== null && isEventStream(upstream)) {
    const decoder = passthroughDecoder(format, providerFormat);
    let done!: () => void;
    call.ctx.bodyDone = new Promise((resolve) => done = resolve);
    upstream.body = inspectStream(asStream(upstream.body), decoder, observation, {
      skip: clientWantsUsage ? undefined : isUsageOnlyChunk,
      cutEvents: (error) => [
        { event: "error", data: JSON.stringify(client.encodeError(error, 502)) },
      ],
      onEnd: (outcome) => {
        if (outcome !== "complete") call.ctx.error = observation.error ?? "client closed";
        finish();
        done();
      },
    });
    // agw writes the events out again (comments dropped, its own usage chunk hidden): the
    // provider's length and encoding no longer describe the body.
    upstream.headers = [...providerHeaders(upstream), ["content-type", "text/event-stream"]];
    return upstream;
  }
  // Buffered: read it for usage, hand the bytes on unchanged.
  const { bytes, json } = await readUpstreamJson(upstream);
  upstream.body = bytes;
  if (json !== undefined) {
    try {
      // `json` is ours alone (the client gets `bytes`): decoded as it is.
      const decoded = providerFormat?.decodeResponse(json);
      if (decoded) {
        observation.usage = decoded.usage;
        observation.responseModel = decoded.model;
        observation.observeCompletion(
          decoded.content.map((part) => part.type === "text" ? part.text : "").join(""),
        );
      } else {
        const usage = passthroughDecoder(format, undefined).push({
          kind: "sse",
          event: { event: "response.completed", data: JSON.stringify({ response: json }) },
        });
        for (const event of usage) observation.observeEvent(event);
      }
    } catch {
      // Telemetry only.
    }
  }
  return upstream;
}

/**
 * A provider's error on a passthrough: untouched when it is already in the client's shape,
 * translated when the platform in front of the model answered in its own (Vertex answers quota
 * and auth errors for Claude models in Google's `{error: {code, message, status}}` shape).
 */
async function passthroughError(
  upstream: UpstreamResponse,
  client: ClientFormat,
  providerFormat: ProviderFormat | undefined,
): Promise<UpstreamResponse> {
  const { bytes, json } = await readUpstreamJson(upstream);
  upstream.body = bytes;
  if (!providerFormat || isClientShapedError(client.name, json)) return upstream;
  const error = providerFormat.decodeError(
    upstream.status,
    json ?? new TextDecoder().decode(bytes),
  );
  return jsonResponse(upstream.status, client.encodeError(error, upstream.status), upstream);
}

/** Whether an error body has the client format's own shape (what its SDK reads). */
function isClientShapedError(format: string, json: unknown): boolean {
  if (typeof json !== "object" || json === null) return false;
  const body = json as { type?: unknown; error?: { message?: unknown } | null };
  if (format === "messages") return body.type === "error" && typeof body.error === "object";
  return typeof body.error?.message === "string";
}

/** Client format → IR → provider format, and the answer back. */
async function translate(
  call: BackendCall,
  provider: CompiledProvider,
  client: ClientFormat,
  providerFormat: ProviderFormat,
  body: Record<string, unknown>,
  model: string,
  observation: LlmObservation,
  finish: () => void,
): Promise<UpstreamResponse> {
  const request = client.decodeRequest(body);
  request.model = model;
  applyPromptsToIr(request, call.ctx);
  observation.observeRequest(request);
  const providerBody = providerFormat.encodeRequest(request) as Record<string, unknown>;
  const upstream = await sendToProvider(call, provider, {
    call: providerFormat.name,
    model,
    stream: request.stream,
    body: providerBody,
    keepClientPath: false,
  });
  if (upstream.status >= 400) {
    const { json, bytes } = await readUpstreamJson(upstream);
    const error = providerFormat.decodeError(
      upstream.status,
      json ?? new TextDecoder().decode(bytes),
    );
    observation.error = error.message;
    call.ctx.error = `provider answered ${upstream.status}: ${error.message}`;
    return jsonResponse(upstream.status, client.encodeError(error, upstream.status), upstream);
  }
  const options = { model, request, nowSeconds: Math.floor(Date.now() / 1000) };
  if (request.stream && upstream.body !== null) {
    const framing = provider.spec.streamFraming(providerFormat.name);
    let done!: () => void;
    call.ctx.bodyDone = new Promise((resolve) => done = resolve);
    const stream = translateStream(
      providerFrames(asStream(upstream.body), framing),
      providerFormat.createStreamDecoder(),
      client.createStreamEncoder(options),
      observation,
      (outcome) => {
        if (outcome !== "complete") call.ctx.error = observation.error ?? "client closed";
        finish();
        done();
      },
      { id: generatedId(), model },
    );
    return {
      status: upstream.status,
      headers: [...providerHeaders(upstream), ["content-type", "text/event-stream"], [
        "cache-control",
        "no-cache",
      ]],
      body: stream,
    };
  }
  const { json } = await readUpstreamJson(upstream);
  if (json === undefined) {
    throw new LlmError(502, {
      kind: "api",
      message: "provider answered with a body that is not JSON",
    });
  }
  const response = providerFormat.decodeResponse(json);
  // Converse names neither: the client still gets an id and the model it was served by.
  if (!response.model) response.model = model;
  if (!response.id) response.id = generatedId();
  observation.usage = response.usage;
  observation.responseModel = response.model;
  observation.observeCompletion(
    response.content.map((part) => part.type === "text" ? part.text : "").join(""),
  );
  return jsonResponse(upstream.status, client.encodeResponse(response, options), upstream);
}

/** An id for an answer whose provider gave none. */
function generatedId(): string {
  return `agw-${crypto.randomUUID()}`;
}

/** A short answer may arrive whole with its headers, as one buffer: stream it all the same. */
function asStream(body: ReadableStream<Uint8Array> | Uint8Array): ReadableStream<Uint8Array> {
  if (body instanceof ReadableStream) return body;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(body);
      controller.close();
    },
  });
}

function isEventStream(upstream: UpstreamResponse): boolean {
  for (const [name, value] of upstream.headers) {
    if (name.toLowerCase() === "content-type") return value.includes("text/event-stream");
  }
  return false;
}

/** `"usage": null`, which every chunk but the last carries once agw asked for usage. */
const NULL_USAGE = /"usage"\s*:\s*null/;

/** OpenAI's final `choices: []` chunk carrying only usage. */
function isUsageOnlyChunk(event: SseEvent): boolean {
  // Cheap tests first: this runs on every chunk of the stream, the parse only on the last one.
  // A quote inside a JSON string is escaped, so these keys cannot be text of a delta.
  if (!event.data.includes('"usage"') || NULL_USAGE.test(event.data)) return false;
  try {
    const chunk = JSON.parse(event.data) as { choices?: unknown[]; usage?: unknown };
    return Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage != null;
  } catch {
    return false;
  }
}
