/**
 * Checks node:crypto (OpenSSL) does not make on its own. OpenSSL already rejects S >= L and
 * non-canonical R (it compares R byte-for-byte), and passes every Wycheproof vector. But it
 * accepts a public key of small order: with A = identity, the signature (R = identity, S = 0)
 * "verifies" for EVERY message. It also hashes the raw bytes of a non-canonical A (y >= p).
 * A trust store should never hold such keys, but a verifier must not depend on that, so these
 * checks run before OpenSSL. They match @noble/ed25519's strict mode ({ zip215: false }) and libsodium.
 */

/**
 * The y-coordinates (little-endian, sign bit cleared) of the 8 points of small order on
 * edwards25519: 0 (order 4), 1 (identity), p-1 (order 2) and the two order-8 values. The same
 * list libsodium uses; ed25519.test.ts re-derives it from @noble/ed25519's torsion subgroup.
 */
const SMALL_ORDER_Y_HEX = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
] as const;
const SMALL_ORDER_Y = SMALL_ORDER_Y_HEX.map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));

/** True when the encoded y-coordinate (sign bit ignored) is below p = 2^255 - 19. */
export function isCanonicalY(encoded: Uint8Array): boolean {
  // p little-endian is ed ff ff ... ff 7f; y >= p only if bytes 1..30 are all ff and byte 31 is 7f.
  if ((encoded[31]! & 0x7f) !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (encoded[i] !== 0xff) return true;
  return encoded[0]! < 0xed;
}

/** True when the encoding names one of the 8 small-order points (either sign of x). */
export function isSmallOrderEncoding(encoded: Uint8Array): boolean {
  return SMALL_ORDER_Y.some((y) => {
    for (let i = 0; i < 31; i++) if (encoded[i] !== y[i]) return false;
    return (encoded[31]! & 0x7f) === y[31];
  });
}

/** A public key OpenSSL may be asked to verify against: canonical and not of small order. */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  return isCanonicalY(publicKey) && !isSmallOrderEncoding(publicKey);
}

export const SMALL_ORDER_ENCODINGS_FOR_TESTS: readonly string[] = SMALL_ORDER_Y_HEX;
