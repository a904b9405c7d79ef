// @ts-check
/**
 * Deterministic random source for WASI random_get: xoshiro256** 1.0 (Blackman & Vigna, 2018,
 * https://prng.di.unimi.it/xoshiro256starstar.c), state seeded from the 64-bit run seed with
 * SplitMix64 exactly as the reference recommends. Output bytes are the little-endian bytes of each
 * 64-bit result in order. Not cryptographic: runs must be replayable from the recorded seed.
 */

const MASK64 = (1n << 64n) - 1n;

/** @param {bigint} x @param {bigint} k */
const rotl = (x, k) => ((x << k) | (x >> (64n - k))) & MASK64;

/** @param {bigint} seed @returns {bigint[]} four 64-bit words */
function splitMix64State(seed) {
  let s = BigInt.asUintN(64, seed);
  const out = [];
  for (let i = 0; i < 4; i++) {
    s = (s + 0x9e3779b97f4a7c15n) & MASK64;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    out.push(z ^ (z >> 31n));
  }
  return out;
}

/**
 * @param {bigint} seed
 * @returns {{ next64: () => bigint, fill: (dst: Uint8Array) => void }}
 */
export function createXoshiro256StarStar(seed) {
  let [s0, s1, s2, s3] = /** @type {[bigint, bigint, bigint, bigint]} */ (splitMix64State(seed));
  const next64 = () => {
    const result = (rotl((s1 * 5n) & MASK64, 7n) * 9n) & MASK64;
    const t = (s1 << 17n) & MASK64;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 45n);
    return result;
  };
  // Bytes left over from the last 64-bit word, so consecutive calls form one continuous stream.
  const word = new DataView(new ArrayBuffer(8));
  let used = 8;
  const fill = (/** @type {Uint8Array} */ dst) => {
    for (let i = 0; i < dst.length; i++) {
      if (used === 8) {
        word.setBigUint64(0, next64(), true);
        used = 0;
      }
      dst[i] = word.getUint8(used++);
    }
  };
  return { next64, fill };
}
