/** Types for prng.mjs (plain JS so worker threads load it without a TypeScript loader). */
export function createXoshiro256StarStar(seed: bigint): {
  next64: () => bigint;
  fill: (dst: Uint8Array) => void;
};
