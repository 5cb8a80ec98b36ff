/**
 * How a reasoning part's opaque proof travels through a Responses client, which has one field for
 * it (`encrypted_content` on a `reasoning` item) where the IR has two: `encrypted` (OpenAI's
 * encrypted reasoning, Anthropic `redacted_thinking` data) and `signature` (Anthropic thinking,
 * Gemini thought signatures). The provider must get each back in its own place on the next turn,
 * so the Responses client is handed a value agw can take apart again:
 *
 * - `encrypted` alone travels as is (what `encrypted_content` means in the Responses API);
 * - anything with a `signature` travels as `agw:` + JSON `{signature, encrypted?}`.
 *
 * The value is opaque to clients (the Responses reference: "send it back unchanged"), and a
 * provider-issued OpenAI value never starts with `agw:`, so the two cannot be confused.
 * @module
 */
import type { ReasoningPart } from "../ir.ts";

const ENVELOPE_PREFIX = "agw:";

/** The proof fields of a reasoning part. */
export type ReasoningProof = Pick<ReasoningPart, "signature" | "encrypted">;

/** The `encrypted_content` for a reasoning part, or undefined when it carries no proof. */
export function encodeReasoningProof(proof: ReasoningProof): string | undefined {
  if (proof.signature === undefined) return proof.encrypted;
  const envelope: ReasoningProof = { signature: proof.signature };
  if (proof.encrypted !== undefined) envelope.encrypted = proof.encrypted;
  return ENVELOPE_PREFIX + JSON.stringify(envelope);
}

/** The proof fields for an `encrypted_content` a client sent back. */
export function decodeReasoningProof(encryptedContent: string): ReasoningProof {
  if (!encryptedContent.startsWith(ENVELOPE_PREFIX)) return { encrypted: encryptedContent };
  let envelope: unknown;
  try {
    envelope = JSON.parse(encryptedContent.slice(ENVELOPE_PREFIX.length));
  } catch {
    return { encrypted: encryptedContent };
  }
  if (typeof envelope !== "object" || envelope === null) return { encrypted: encryptedContent };
  const { signature, encrypted } = envelope as Record<string, unknown>;
  if (typeof signature !== "string") return { encrypted: encryptedContent };
  const proof: ReasoningProof = { signature };
  if (typeof encrypted === "string") proof.encrypted = encrypted;
  return proof;
}
