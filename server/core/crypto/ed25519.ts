/**
 * Ed25519 (RFC 8032, strict) on node:crypto, which is backed by OpenSSL and much faster than a
 * pure-JS implementation. OpenSSL rejects non-canonical S (S >= L) and R; ed25519-strict.ts adds
 * the public-key checks it lacks (small order, non-canonical y). ed25519.test.ts runs every
 * Wycheproof vector and cross-checks @noble/ed25519 in strict mode.
 *
 * verifyEd25519 never throws: malformed keys or signatures simply do not verify.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { isAcceptablePublicKey } from './ed25519-strict';

export const PUBLIC_KEY_BYTES = 32;
export const SEED_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** Importing a key costs more than a verification; trust stores hold few keys, so cache them. */
const MAX_CACHED_KEYS = 1024;
const publicKeyCache = new Map<string, KeyObject | null>();

function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * The key last imported for each public-key array, so a trust store handing out the same array
 * every call skips the encoding above. The array may have been changed in place since (Uint8Array
 * is mutable), so a hit counts only if it still holds the bytes the key was imported from.
 */
const byArray = new WeakMap<Uint8Array, { bytes: Uint8Array; key: KeyObject | null }>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false; // public keys: no secret to time
  return true;
}

/** Returns the KeyObject for a raw public key, or null for a key that must never verify anything. */
function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const seen = byArray.get(publicKey);
  if (seen && sameBytes(seen.bytes, publicKey)) return seen.key;
  const key = importedKey(publicKey);
  byArray.set(publicKey, { bytes: publicKey.slice(), key });
  return key;
}

function importedKey(publicKey: Uint8Array): KeyObject | null {
  const x = toBase64Url(publicKey);
  const cached = publicKeyCache.get(x);
  if (cached !== undefined) return cached;
  let key: KeyObject | null = null;
  if (isAcceptablePublicKey(publicKey)) {
    try {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    } catch {
      key = null; // OpenSSL refused the encoding (not a point on the curve)
    }
  }
  // A simple bound: when full, start over rather than track recency (the set is tiny in practice).
  if (publicKeyCache.size >= MAX_CACHED_KEYS) publicKeyCache.clear();
  publicKeyCache.set(x, key);
  return key;
}

/** PKCS#8 for Ed25519 is this fixed 16-byte prefix followed by the 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function privateKeyObject(seed: Uint8Array): KeyObject {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
    throw new TypeError(`an Ed25519 seed is exactly ${SEED_BYTES} bytes`);
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Strict RFC 8032 verification. Wrong lengths, bad encodings and bad signatures all return false. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  if (!(message instanceof Uint8Array)) return false;
  const key = publicKeyObject(publicKey);
  if (key === null) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** Signs with a 32-byte seed (the RFC 8032 private key). Throws only on a wrong-sized seed: a programming error. */
export function signEd25519(seed32: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKeyObject(seed32)));
}

/** Throws only on a wrong-sized seed. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  const jwk = createPublicKey(privateKeyObject(seed)).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x as string, 'base64url'));
}

export function generateKeyPair(): { seed: Uint8Array; publicKey: Uint8Array } {
  const seed = new Uint8Array(randomBytes(SEED_BYTES));
  return { seed, publicKey: publicKeyFromSeed(seed) };
}
