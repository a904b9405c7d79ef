/**
 * Test support: builds wasm binaries from WAT with wabt.js, and raw modules from section bytes
 * for the malformed cases wabt refuses to produce. Used only by tests.
 */
import wabtInit from 'wabt';

type Features = Parameters<Awaited<ReturnType<typeof wabtInit>>['parseWat']>[2];

const wabt = await wabtInit();

/**
 * The one WAT-to-binary helper of the tests and benches (the sandbox's test modules and the
 * instrumenter's testkit re-export it). Synchronous, so test modules can be constants.
 */
export function wat(source: string, features: Features = {}): Uint8Array<ArrayBuffer> {
  const module = wabt.parseWat('test.wat', source, features);
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** Unsigned LEB128, minimal encoding. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** A section: id, LEB size, payload. */
export function section(id: number, payload: number[]): number[] {
  return [id, ...leb(payload.length), ...payload];
}

/** A length-prefixed UTF-8 name. */
export function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...leb(bytes.length), ...bytes];
}

export function module(...sections: number[][]): Uint8Array<ArrayBuffer> {
  return new Uint8Array([...HEADER, ...sections.flat()]);
}
