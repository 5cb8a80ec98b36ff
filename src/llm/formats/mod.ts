/**
 * The wire formats and their codecs (see types.ts for the contracts and ../ir.ts for the IR).
 * Client formats are what SDKs send agw; provider formats are what agw sends providers.
 * @module
 */
import { completions } from "./chat_completions.ts";
import { converse } from "./converse.ts";
import { gemini } from "./gemini.ts";
import { messages } from "./messages.ts";
import { responses } from "./responses.ts";
import type { ClientFormat, FormatName, ProviderFormat } from "./types.ts";

export type * from "./types.ts";

/** Formats a client may speak to agw. */
export const CLIENT_FORMATS: ReadonlyMap<FormatName, ClientFormat> = new Map<
  FormatName,
  ClientFormat
>([["completions", completions], ["messages", messages], ["responses", responses]]);

/** Formats agw may speak to a provider. */
export const PROVIDER_FORMATS: ReadonlyMap<FormatName, ProviderFormat> = new Map<
  FormatName,
  ProviderFormat
>([["completions", completions], ["messages", messages], ["gemini", gemini], [
  "converse",
  converse,
]]);
