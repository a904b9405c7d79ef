/**
 * Key ids and key file formats.
 * - keyid: lower-case hex SHA-256 of the raw 32-byte public key, so the id cannot name another key.
 * - public key file: base64 of the raw 32 bytes and a newline (the legacy pubkey.b64 format).
 * - private key file: JSON {"format":"nightcore.ed25519-private/v1","keyid","publicKey","seed"}.
 */
import { z } from 'zod';
import { ok, err, type Result } from '../result';
import { sha256Hex, timingSafeEqualHex } from './digest';
import { publicKeyFromSeed, PUBLIC_KEY_BYTES, SEED_BYTES } from './ed25519';

export const PRIVATE_KEY_FORMAT = 'nightcore.ed25519-private/v1';
export type KeyFileCode = 'KEY_FILE_INVALID';

export interface KeyPair {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}
export interface PrivateKeyFile extends KeyPair {
  readonly keyid: string;
}

export const KEYID_RE = /^[0-9a-f]{64}$/;
/** Standard base64 with padding; Buffer.from would otherwise silently skip junk characters. */
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function keyIdOf(publicKey: Uint8Array): string {
  return sha256Hex(publicKey);
}

/** Strict base64 decode: undefined for anything that is not canonical padded base64. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Reject non-zero trailing bits, so one key has exactly one text form.
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function encodePublicKeyFile(publicKey: Uint8Array): string {
  return `${encodeBase64(publicKey)}\n`;
}

export function parsePublicKeyFile(text: string): Result<Uint8Array, KeyFileCode> {
  const trimmed = text.trim();
  if (trimmed === '') return err('KEY_FILE_INVALID', 'the public key file is empty; expected the base64 of a 32-byte Ed25519 key');
  const bytes = decodeBase64Strict(trimmed);
  if (!bytes) return err('KEY_FILE_INVALID', 'the public key file is not base64; expected the base64 of a 32-byte Ed25519 key');
  if (bytes.length !== PUBLIC_KEY_BYTES) {
    return err('KEY_FILE_INVALID', `the public key is ${bytes.length} bytes; an Ed25519 public key is ${PUBLIC_KEY_BYTES}`);
  }
  return ok(bytes);
}

export function encodePrivateKeyFile(pair: KeyPair): string {
  const body = {
    format: PRIVATE_KEY_FORMAT,
    keyid: keyIdOf(pair.publicKey),
    publicKey: encodeBase64(pair.publicKey),
    seed: encodeBase64(pair.seed),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

const ZPrivateKeyFileSchema = z.strictObject({
  format: z.literal(PRIVATE_KEY_FORMAT),
  keyid: z.string().regex(KEYID_RE, 'must be 64 lower-case hex digits'),
  publicKey: z.string(),
  seed: z.string(),
});

export function parsePrivateKeyFile(text: string): Result<PrivateKeyFile, KeyFileCode> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return err('KEY_FILE_INVALID', `the private key file is not JSON; expected a ${PRIVATE_KEY_FORMAT} file from nightcore keygen`);
  }
  const parsed = ZPrivateKeyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    return err('KEY_FILE_INVALID', `the private key file is not a valid ${PRIVATE_KEY_FORMAT} file`, issues);
  }
  const issues: string[] = [];
  const seed = decodeBase64Strict(parsed.data.seed);
  const publicKey = decodeBase64Strict(parsed.data.publicKey);
  if (!seed || seed.length !== SEED_BYTES) issues.push(`seed: must be base64 of ${SEED_BYTES} bytes`);
  if (!publicKey || publicKey.length !== PUBLIC_KEY_BYTES) issues.push(`publicKey: must be base64 of ${PUBLIC_KEY_BYTES} bytes`);
  if (!seed || !publicKey || issues.length > 0) {
    return err('KEY_FILE_INVALID', `the private key file is not a valid ${PRIVATE_KEY_FORMAT} file`, issues);
  }
  // A file whose parts disagree was edited or corrupted: signing with it would produce a signature
  // under a different key than the one it claims.
  const derived = publicKeyFromSeed(seed);
  if (!timingSafeEqualHex(sha256Hex(derived), sha256Hex(publicKey))) {
    return err('KEY_FILE_INVALID', 'the private key file is inconsistent: its seed does not produce its publicKey');
  }
  if (keyIdOf(publicKey) !== parsed.data.keyid) {
    return err('KEY_FILE_INVALID', `the private key file is inconsistent: keyid ${parsed.data.keyid} is not the id of its publicKey`);
  }
  return ok({ keyid: parsed.data.keyid, seed, publicKey });
}
