/** TODO(#7): the responses codec is being written. @module */
import type { ClientFormat, ProviderFormat } from "./types.ts";

const notYet = (): never => {
  throw new Error("the responses codec is not implemented yet");
};

/** The responses format. */
export const responses = {
  name: "responses",
  decodeRequest: notYet,
  encodeResponse: notYet,
  createStreamEncoder: notYet,
  encodeError: notYet,
  encodeRequest: notYet,
  decodeResponse: notYet,
  createStreamDecoder: notYet,
  decodeError: notYet,
} satisfies ClientFormat & ProviderFormat as ClientFormat;
