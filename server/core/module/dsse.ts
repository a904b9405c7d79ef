/**
 * DSSE envelope (https://github.com/secure-systems-lab/dsse) around the canonical manifest.
 * Signatures cover PAE(payloadType, payload), never the bare payload, so a signature made for
 * one payload type can never be replayed as another.
 */
import { z } from 'zod';
import { ok, err, type Result } from '../result';
import { decodeBase64Strict, KEYID_RE } from '../crypto/keys';

export const MANIFEST_PAYLOAD_TYPE = 'application/vnd.nightcore.manifest.v1+json';
export type EnvelopeCode = 'ENVELOPE_INVALID';

const BASE64 = z.string().refine((s) => decodeBase64Strict(s) !== undefined, 'must be standard padded base64');

export const ZEnvelopeSignatureSchema = z.strictObject({
  keyid: z.string().regex(KEYID_RE, 'must be 64 lower-case hex digits (SHA-256 of the public key)'),
  sig: BASE64.refine((s) => decodeBase64Strict(s)?.length === 64, 'must be the base64 of a 64-byte Ed25519 signature'),
});

export const ZEnvelopeSchema = z.strictObject({
  payloadType: z.literal(MANIFEST_PAYLOAD_TYPE),
  payload: BASE64,
  signatures: z
    .array(ZEnvelopeSignatureSchema)
    .min(1, 'must hold at least one signature')
    .max(32)
    .refine((sigs) => new Set(sigs.map((s) => s.keyid)).size === sigs.length, 'must not hold two signatures by the same keyid'),
});
export type TEnvelope = z.infer<typeof ZEnvelopeSchema>;
export type TEnvelopeSignature = z.infer<typeof ZEnvelopeSignatureSchema>;

/** An envelope whose fields are decoded once, so verification does not re-decode base64. */
export interface ParsedEnvelope {
  readonly envelope: TEnvelope;
  readonly payload: Uint8Array;
  readonly signatures: readonly { keyid: string; sig: Uint8Array }[];
}

const encoder = new TextEncoder();

/** DSSE v1 pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body (lengths in bytes). */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = encoder.encode(payloadType);
  const header = encoder.encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(header.length + payload.length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}

function describe(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** Validates an already-decoded JSON value as an envelope, listing every bad field. */
export function parseEnvelopeValue(raw: unknown): Result<ParsedEnvelope, EnvelopeCode> {
  const parsed = ZEnvelopeSchema.safeParse(raw);
  if (!parsed.success) {
    return err('ENVELOPE_INVALID', 'nightcore.sig.json is not a valid DSSE envelope', describe(parsed.error));
  }
  const envelope = parsed.data;
  return ok({
    envelope,
    // Both decodes succeed: the schema checked them.
    payload: decodeBase64Strict(envelope.payload)!,
    signatures: envelope.signatures.map((s) => ({ keyid: s.keyid, sig: decodeBase64Strict(s.sig)! })),
  });
}

export function parseEnvelope(text: string): Result<ParsedEnvelope, EnvelopeCode> {
  if (text.trim() === '') return err('ENVELOPE_INVALID', 'nightcore.sig.json is missing or empty: the bundle is not signed');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return err('ENVELOPE_INVALID', `nightcore.sig.json is not JSON: ${(e as Error).message}`);
  }
  return parseEnvelopeValue(raw);
}

export function serializeEnvelope(envelope: TEnvelope): string {
  return `${JSON.stringify(envelope, null, 2)}\n`;
}
