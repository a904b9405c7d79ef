/**
 * The detached signature of a report file. The server key signs the text
 * "nightcore.report-signature/v1\n<hex SHA-256 of the file's exact bytes>\n", so one signature
 * covers one exact byte sequence (HTML or PDF alike) and cannot be mistaken for a checkpoint or a
 * remote job signed by the same key (the prefix separates the domains).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { err, ok, type Result } from '../result';
import { decodeBase64Strict, encodeBase64, keyIdOf } from '../crypto/keys';
import type { Ed25519Verify } from '../audit/ed25519-port';

export const REPORT_SIGNATURE_FORMAT = 'nightcore.report-signature/v1';

export interface ReportSignature {
  readonly format: typeof REPORT_SIGNATURE_FORMAT;
  readonly sha256: string;
  readonly bytes: number;
  readonly keyid: string;
  /** base64 Ed25519 signature over signedMessage(sha256) */
  readonly signature: string;
  readonly signedAt: string;
}

export const signedMessage = (sha256Hex: string): Uint8Array => new TextEncoder().encode(`${REPORT_SIGNATURE_FORMAT}\n${sha256Hex}\n`);

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function signReport(bytes: Uint8Array, signer: { readonly keyid: string; sign(message: Uint8Array): Uint8Array }, signedAt: Date): ReportSignature {
  const sha256 = sha256Hex(bytes);
  return { format: REPORT_SIGNATURE_FORMAT, sha256, bytes: bytes.length, keyid: signer.keyid, signature: encodeBase64(signer.sign(signedMessage(sha256))), signedAt: signedAt.toISOString() };
}

const SignatureFile = z.strictObject({
  format: z.literal(REPORT_SIGNATURE_FORMAT),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  keyid: z.string().regex(/^[0-9a-f]{64}$/),
  signature: z.string(),
  signedAt: z.string(),
});

export type ReportVerifyCode = 'SIGNATURE_MALFORMED' | 'WRONG_KEY' | 'DIGEST_MISMATCH' | 'SIGNATURE_INVALID';

/**
 * Checks a report file against its signature file and the public key the checker trusts (never a
 * key that travels with the signature). Order: the file parses, the key is the one named, the bytes
 * are the ones signed, the signature verifies.
 */
export function verifyReport(bytes: Uint8Array, signatureText: string, publicKey: Uint8Array, verify: Ed25519Verify): Result<ReportSignature, ReportVerifyCode> {
  let json: unknown;
  try {
    json = JSON.parse(signatureText);
  } catch {
    return err('SIGNATURE_MALFORMED', 'the signature file is not JSON');
  }
  const parsed = SignatureFile.safeParse(json);
  if (!parsed.success) return err('SIGNATURE_MALFORMED', `not a ${REPORT_SIGNATURE_FORMAT} file: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const sig = parsed.data as ReportSignature;
  const keyid = keyIdOf(publicKey);
  if (sig.keyid !== keyid) return err('WRONG_KEY', `signed by key ${sig.keyid.slice(0, 16)}, not by the given key ${keyid.slice(0, 16)}`);
  const actual = sha256Hex(bytes);
  if (actual !== sig.sha256 || bytes.length !== sig.bytes) {
    return err('DIGEST_MISMATCH', `the file's SHA-256 is ${actual} (${bytes.length} bytes); the signature covers ${sig.sha256} (${sig.bytes} bytes): the file was changed`);
  }
  const raw = decodeBase64Strict(sig.signature);
  if (!raw || raw.length !== 64 || !verify(publicKey, signedMessage(sig.sha256), raw)) return err('SIGNATURE_INVALID', 'the Ed25519 signature does not verify with the given key');
  return ok(sig);
}
