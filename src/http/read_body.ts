/** How much of a body agw reads when CEL needs `request.body` or `response.body` (agentgateway's default). */
export const BODY_BUFFER_LIMIT_BYTES = 2 * 1024 * 1024;

type Body = ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null;

/**
 * Reads a body up to `limit` bytes. Returns its text when it fit, and the body to send on: the
 * bytes read, or (over the limit) a stream that replays the part read and then the rest.
 */
export async function readBody(
  body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null,
  limit: number,
): Promise<{ text: string | undefined; body: Body }> {
  if (body === null) return { text: "", body: null };
  if (body instanceof Uint8Array) {
    return { text: body.byteLength <= limit ? new TextDecoder().decode(body) : undefined, body };
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) return { text: undefined, body: prepend(concat(chunks, size), reader) };
  }
  const bytes = concat(chunks, size);
  return { text: new TextDecoder().decode(bytes), body: bytes };
}

function concat(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** A stream that yields `head`, then whatever `rest` still has. */
function prepend(
  head: Uint8Array,
  rest: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  let sentHead = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sentHead) {
        sentHead = true;
        controller.enqueue(head);
        return;
      }
      const { done, value } = await rest.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return rest.cancel(reason);
    },
  });
}

/**
 * Passes a body through unchanged while keeping a copy of up to `limit` bytes; `onEnd` gets the
 * copy's text when the body ends (undefined if it was larger, or the client went away first).
 * Streaming is not delayed: each chunk goes on as soon as it arrives.
 */
export function captureBody(
  body: ReadableStream<Uint8Array>,
  limit: number,
  onEnd: (text: string | undefined) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  const end = (text: string | undefined) => {
    if (ended) return;
    ended = true;
    onEnd(text);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          end(size <= limit ? new TextDecoder().decode(concat(chunks, size)) : undefined);
          return;
        }
        if (size <= limit) chunks.push(value);
        size += value.byteLength;
        controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        end(undefined);
      }
    },
    cancel(reason) {
      end(undefined);
      return reader.cancel(reason);
    },
  });
}
