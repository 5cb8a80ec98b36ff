/** TODO(#7): the gemini codec is being written. @module */
import type { ClientFormat, ProviderFormat } from "./types.ts";

const notYet = (): never => {
  throw new Error("the gemini codec is not implemented yet");
};

/** The gemini format. */
export const gemini = {
  name: "gemini",
  decodeRequest: notYet,
  encodeResponse: notYet,
  createStreamEncoder: notYet,
  encodeError: notYet,
  encodeRequest: notYet,
  decodeResponse: notYet,
  createStreamDecoder: notYet,
  decodeError: notYet,
} satisfies ClientFormat & ProviderFormat as ProviderFormat;
