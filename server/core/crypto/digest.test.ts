import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { sha256Bytes, sha256Hex, timingSafeEqualHex } from './digest';

describe('sha256', () => {
  it('matches the FIPS 180-2 "abc" vector for strings and bytes', () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256Hex('abc')).toBe(abc);
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(abc);
    expect(Buffer.from(sha256Bytes('abc')).toString('hex')).toBe(abc);
  });

  it('hashes the empty input', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes only the view of a subarray, not its whole buffer', () => {
    const whole = new Uint8Array([0x78, 0x61, 0x62, 0x63, 0x79]);
    expect(sha256Hex(whole.subarray(1, 4))).toBe(sha256Hex('abc'));
  });
});

describe('sha256Hex (one-shot crypto.hash) agrees with createHash', () => {
  it.each([
    ['a non-ASCII string (hashed as UTF-8)', 'Grüße, 世界 🌍'],
    ['bytes', new Uint8Array(1000).map((_, i) => (i * 7) & 0xff)],
    ['a view into a larger buffer', new Uint8Array(64).map((_, i) => i).subarray(5, 37)],
    ['a Buffer', Buffer.from('nightcore')],
  ])('on %s', (_what, data) => {
    expect(sha256Hex(data)).toBe(createHash('sha256').update(data).digest('hex'));
  });
});

describe('timingSafeEqualHex', () => {
  const a = sha256Hex('a');
  it('is true for equal digests, ignoring case', () => {
    expect(timingSafeEqualHex(a, a)).toBe(true);
    expect(timingSafeEqualHex(a, a.toUpperCase())).toBe(true);
  });
  it('is false for different digests, lengths or non-strings', () => {
    expect(timingSafeEqualHex(a, sha256Hex('b'))).toBe(false);
    expect(timingSafeEqualHex(a, a.slice(0, 63))).toBe(false);
    expect(timingSafeEqualHex(a, '')).toBe(false);
    expect(timingSafeEqualHex(a, undefined as unknown as string)).toBe(false);
    expect(timingSafeEqualHex('ß', 'SS')).toBe(false);
  });
});
