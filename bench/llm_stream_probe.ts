/**
 * The LLM benchmark's streaming client: keeps N chat-completion streams open back to back for a
 * while and timestamps every token as its bytes arrive, giving time to first token (from just
 * before the request is sent) and the gap between consecutive tokens.
 * @module
 */

/** What a probe run saw. Times in milliseconds. */
export interface StreamSamples {
  ttftMs: number[];
  gapMs: number[];
  /** Streams that ended with every token. */
  streams: number;
  /** Streams that failed: a non-200, a transport error, or fewer tokens than expected. */
  errors: number;
  /** The first failure, to say what went wrong. */
  firstError: string | undefined;
}

/** How to run the probe. */
export interface ProbeOptions {
  url: string;
  body: string;
  concurrency: number;
  seconds: number;
  /** Every token's text, counted in the raw bytes (the fake sends one per token). */
  tokenText: string;
  expectedTokens: number;
  /** How long one stream takes at the provider, to spread the first starts over it. */
  streamMs: number;
}

/** Counts tokens in a stream's text as it arrives, a token cut between reads included. */
export class TokenCounter {
  readonly #token: string;
  readonly #decoder = new TextDecoder();
  #carry = "";
  tokens = 0;

  constructor(token: string) {
    this.#token = token;
  }

  /** Feeds one read; returns how many tokens completed in it. */
  push(bytes: Uint8Array): number {
    const text = this.#carry + this.#decoder.decode(bytes, { stream: true });
    let found = 0;
    for (let at = text.indexOf(this.#token); at >= 0; at = text.indexOf(this.#token, at + 1)) {
      found++;
    }
    // A token never overlaps itself, so the last length-1 chars can only start the next one.
    this.#carry = text.slice(Math.max(0, text.length - (this.#token.length - 1)));
    this.tokens += found;
    return found;
  }
}

async function runOneStream(
  options: ProbeOptions,
  samples: StreamSamples,
  client: Deno.HttpClient,
): Promise<void> {
  const fail = (problem: string) => {
    samples.errors++;
    samples.firstError ??= problem;
  };
  const startMs = performance.now();
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer bench-client" },
      body: options.body,
      client,
    });
  } catch (error) {
    fail((error as Error).message);
    return;
  }
  if (response.status !== 200 || response.body === null) {
    fail(`status ${response.status}: ${(await response.text()).slice(0, 200)}`);
    return;
  }
  const counter = new TokenCounter(options.tokenText);
  let lastTokenMs = 0;
  try {
    for await (const bytes of response.body) {
      const nowMs = performance.now();
      const found = counter.push(bytes);
      for (let i = 0; i < found; i++) {
        // Tokens that arrive in one read get a gap of 0: coalescing shows up, not hidden.
        if (lastTokenMs === 0) samples.ttftMs.push(nowMs - startMs);
        else samples.gapMs.push(nowMs - lastTokenMs);
        lastTokenMs = nowMs;
      }
    }
  } catch (error) {
    fail((error as Error).message);
    return;
  }
  if (counter.tokens !== options.expectedTokens) {
    fail(`stream ended after ${counter.tokens} of ${options.expectedTokens} tokens`);
    return;
  }
  samples.streams++;
}

/**
 * Runs `concurrency` workers, each opening one stream after the other until `seconds` are up
 * (a stream in flight then finishes). The workers' first streams are spread over one stream's
 * length, so their tokens do not all fall due at the same instant.
 */
export async function probeStreams(options: ProbeOptions): Promise<StreamSamples> {
  const samples: StreamSamples = {
    ttftMs: [],
    gapMs: [],
    streams: 0,
    errors: 0,
    firstError: undefined,
  };
  // Its own pool, so connections of an earlier target are not reused for this one.
  using client = Deno.createHttpClient({});
  const endMs = performance.now() + options.seconds * 1000;
  const staggerMs = options.streamMs / options.concurrency;
  const worker = async (index: number) => {
    await new Promise((resolve) => setTimeout(resolve, index * staggerMs));
    while (performance.now() < endMs) await runOneStream(options, samples, client);
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  return samples;
}

/** The nearest-rank percentile `p` (0–100) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.toSorted((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
