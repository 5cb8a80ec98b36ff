/** TODO(#7): the converse codec is being written. @module */
import type { ClientFormat, ProviderFormat } from "./types.ts";

const notYet = (): never => {
  throw new Error("the converse codec is not implemented yet");
};

/** The converse format. */
export const converse = {
  name: "converse",
  decodeRequest: notYet,
  encodeResponse: notYet,
  createStreamEncoder: notYet,
  encodeError: notYet,
  encodeRequest: notYet,
  decodeResponse: notYet,
  createStreamDecoder: notYet,
  decodeError: notYet,
} satisfies ClientFormat & ProviderFormat as ProviderFormat;
