/**
 * Small signed JSON documents (approval statements, licenses): Ed25519 (strict RFC 8032) over the
 * DSSE pre-authentication encoding of the canonical (RFC 8785) JSON, with each kind's own payload
 * type so one kind can never be taken for another. One implementation of the byte checks, so a
 * fix to them reaches every kind; each caller keeps its own schema, codes and words.
 */
import { preAuthEncoding } from '../module/dsse';
import { decodeBase64Strict } from './keys';
import { verifyEd25519 } from './ed25519';
import { err, ok, type Result } from '../result';

/** Why signed bytes were refused, for the caller to name in its own words. */
export type SignedJsonFailure = 'NOT_BASE64' | 'BAD_SIGNATURE' | 'NOT_JSON';

export interface OpenedJson {
  /** The signed text exactly (UTF-8 decoded): the caller checks it is the canonical form of `value`. */
  readonly text: string;
  readonly value: unknown;
}

/** The bytes a document of this payload type is signed over. */
export const signedJsonBytes = (payloadType: string, canonical: string): Uint8Array => preAuthEncoding(payloadType, new TextEncoder().encode(canonical));

/**
 * Checks the signature over the payload before reading anything in it, then decodes it as UTF-8
 * JSON. The payload must be canonical (the caller compares `text` with its own canonical form of
 * `value`): a document that only re-canonicalises to the signed bytes would have two texts.
 */
export function openSignedJson(signed: { readonly payload: string; readonly sig: string }, payloadType: string, publicKey: Uint8Array): Result<OpenedJson, SignedJsonFailure> {
  const payload = decodeBase64Strict(signed.payload);
  const sig = decodeBase64Strict(signed.sig);
  if (!payload || !sig) return err('NOT_BASE64', 'The payload and signature must be canonical base64.');
  if (!verifyEd25519(publicKey, preAuthEncoding(payloadType, payload), sig)) return err('BAD_SIGNATURE', 'The signature does not verify.');
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
    return ok({ text, value: JSON.parse(text) as unknown });
  } catch {
    return err('NOT_JSON', 'The signed payload is not UTF-8 JSON.');
  }
}
