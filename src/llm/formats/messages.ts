/** TODO(#7): the messages codec is being written. @module */
import type { ClientFormat, ProviderFormat } from "./types.ts";

const notYet = (): never => {
  throw new Error("the messages codec is not implemented yet");
};

/** The messages format. */
export const messages = {
  name: "messages",
  decodeRequest: notYet,
  encodeResponse: notYet,
  createStreamEncoder: notYet,
  encodeError: notYet,
  encodeRequest: notYet,
  decodeResponse: notYet,
  createStreamDecoder: notYet,
  decodeError: notYet,
} satisfies ClientFormat & ProviderFormat as ClientFormat & ProviderFormat;
