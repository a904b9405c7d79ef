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

/**
 * Compares two hex strings without leaking, through timing, how long a prefix matched (an attacker
 * probing a digest check learns nothing byte by byte). Case-insensitive; length differences and
 * non-string input return false (lengths of digests are public anyway).
 */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  const left = Buffer.from(a.toLowerCase(), 'utf8');
  const right = Buffer.from(b.toLowerCase(), 'utf8');
  // toLowerCase can change the byte length of non-ASCII text; timingSafeEqual needs equal lengths.
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
