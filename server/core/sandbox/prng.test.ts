import { describe, it, expect } from 'vitest';
import { createXoshiro256StarStar } from './prng.mjs';

// Expected values computed with the reference C code (xoshiro256starstar.c seeded by splitmix64.c).
const REFERENCE: ReadonlyArray<readonly [bigint, readonly string[]]> = [
  [0n, ['99ec5f36cb75f2b4', 'bf6e1f784956452a', '1a5f849d4933e6e0', '6aa594f1262d2d2c']],
  [0xdeadbeefcafef00dn, ['9e32cfb5bb93eebb', '16006bd9d4ac0014', '8ada5d6d34b6538e', '7c327ca32346a238']],
];

describe('xoshiro256** seeded by SplitMix64', () => {
  it.each(REFERENCE)('matches the reference output for seed %s', (seed, expected) => {
    const rng = createXoshiro256StarStar(seed);
    expect(expected.map(() => rng.next64().toString(16).padStart(16, '0'))).toEqual(expected);
  });

  it('fills bytes little-endian and as one continuous stream across calls', () => {
    const whole = new Uint8Array(24);
    createXoshiro256StarStar(7n).fill(whole);
    const pieces = createXoshiro256StarStar(7n);
    const a = new Uint8Array(5);
    const b = new Uint8Array(19);
    pieces.fill(a);
    pieces.fill(b);
    expect([...a, ...b]).toEqual([...whole]);
    const first = createXoshiro256StarStar(7n).next64();
    expect(whole[0]).toBe(Number(first & 0xffn));
  });

  it('reduces seeds to 64 bits, so negative seeds are valid and distinct', () => {
    expect(createXoshiro256StarStar(-1n).next64()).toBe(createXoshiro256StarStar((1n << 64n) - 1n).next64());
    expect(createXoshiro256StarStar(-1n).next64()).not.toBe(createXoshiro256StarStar(1n).next64());
  });
});
