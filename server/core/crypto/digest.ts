/** SHA-256 digests and constant-time comparison of hex digests. */
import * as nodeCrypto from 'node:crypto';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The one-shot crypto.hash (Node.js >= 20.12) skips the Hash object createHash builds: for the
 * small inputs hashed on every verification (a module, a manifest) it is about 3x faster. Node.js
 * 20.11, which package.json still allows, lacks it. Read through the namespace so a missing export
 * is undefined rather than a link error.
 */
const oneShotHash: typeof nodeCrypto.hash | undefined = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : undefined;

export function sha256Bytes(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** Lower-case hex SHA-256; strings are hashed as UTF-8. */
export function sha256Hex(data: Uint8Array | string): string {
  if (oneShotHash) return oneShotHash('sha256', data, 'hex');
  return createHash('sha256').update(data).digest('hex');
}

const SHA256_HEX_LENGTH = 64;
const leftDigest = Buffer.alloc(32);
const rightDigest = Buffer.alloc(32);

/**
 * Compares two hex strings without leaking, through timing, how long a prefix matched (an attacker
 * probing a digest check learns nothing byte by byte). Case-insensitive; length differences and
 * non-string input return false (lengths of digests are public anyway).
 */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  // SHA-256 digests, the common case, are decoded into two fixed buffers: nothing allocated. Hex
  // decoding ignores case and stops at the first non-hex digit, so 32 bytes from each means both were
  // 64 hex digits, and the bytes are equal exactly when the lower-cased texts are.
  if (a.length === SHA256_HEX_LENGTH && leftDigest.write(a, 'hex') === 32 && rightDigest.write(b, 'hex') === 32) {
    return timingSafeEqual(leftDigest, rightDigest);
  }
  const left = Buffer.from(a.toLowerCase(), 'utf8');
  const right = Buffer.from(b.toLowerCase(), 'utf8');
  // toLowerCase can change the byte length of non-ASCII text; timingSafeEqual needs equal lengths.
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
