/** TODO(#7): the completions codec is being written. @module */
import type { ClientFormat, ProviderFormat } from "./types.ts";

const notYet = (): never => {
  throw new Error("the completions codec is not implemented yet");
};

/** The completions format. */
export const completions = {
  name: "completions",
  decodeRequest: notYet,
  encodeResponse: notYet,
  createStreamEncoder: notYet,
  encodeError: notYet,
  encodeRequest: notYet,
  decodeResponse: notYet,
  createStreamDecoder: notYet,
  decodeError: notYet,
} satisfies ClientFormat & ProviderFormat as ClientFormat & ProviderFormat;
