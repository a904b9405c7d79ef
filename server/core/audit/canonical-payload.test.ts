import { describe, it, expect } from 'vitest';
import canonicalize from 'canonicalize';
import { canonicalPayload, fastCanonical, MAX_PAYLOAD_BYTES, utf8Length } from './canonical-payload';
import { randomJson, seededRandom } from './test-support';

describe('canonicalPayload', () => {
  it('agrees byte for byte with the canonicalize package on 2,000 random JSON values', () => {
    const rand = seededRandom(0xc0ffee);
    for (let i = 0; i < 2000; i++) {
      const value = randomJson(rand);
      const ours = canonicalPayload(value);
      expect(ours.ok).toBe(true);
      if (ours.ok) expect(ours.value).toBe(canonicalize(value));
    }
  });

  it('sorts keys by UTF-16 code units and formats numbers the JCS way (RFC 8785 examples)', () => {
    const r = canonicalPayload({ '\u20ac': 'Euro', '\r': 'CR', '\ufb33': 'Hebrew', '1': 'One', '\ud83d\ude00': 'Smiley', '\u0080': 'Control', '\u00f6': 'o' });
    expect(r).toEqual({ ok: true, value: '{"\\r":"CR","1":"One","\u0080":"Control","\u00f6":"o","\u20ac":"Euro","\ud83d\ude00":"Smiley","\ufb33":"Hebrew"}' });
    expect(canonicalPayload([333333333.33333329, 1e30, 4.5, 0.002, 1e-27, -0])).toEqual({ ok: true, value: '[333333333.3333333,1e+30,4.5,0.002,1e-27,0]' });
  });

  it('omits undefined object fields like JSON, but refuses everything JSON would silently change', () => {
    expect(canonicalPayload({ a: 1, b: undefined })).toEqual({ ok: true, value: '{"a":1}' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: [unknown, RegExp][] = [
      [NaN, /NaN/],
      [{ x: Infinity }, /payload\.x is Infinity/],
      [[1, undefined], /payload\[1\] is undefined/],
      [{ n: 10n }, /bigint/],
      [{ f: () => 1 }, /function/],
      [new Date(0), /Date, not a plain JSON object/],
      [new Map(), /Map/],
      [cyclic, /circular/],
      [{ s: 'a\ud800b' }, /lone surrogate/],
      [{ ['\udc00']: 1 }, /lone surrogate/],
      [undefined, /undefined/],
    ];
    for (const [value, message] of bad) {
      const r = canonicalPayload(value);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe('PAYLOAD_NOT_JSON');
        expect(r.message).toMatch(message);
      }
    }
  });

  it('turns a throwing getter into an error value, and limits depth and size', () => {
    const trap = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(canonicalPayload(trap)).toMatchObject({ ok: false, code: 'PAYLOAD_NOT_JSON', message: expect.stringContaining('boom') });
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(canonicalPayload(deep)).toMatchObject({ ok: false, code: 'PAYLOAD_NOT_JSON', message: expect.stringContaining('deeper') });
    expect(canonicalPayload('x'.repeat(MAX_PAYLOAD_BYTES))).toMatchObject({ ok: false, code: 'PAYLOAD_TOO_LARGE' });
    expect(canonicalPayload('x'.repeat(MAX_PAYLOAD_BYTES - 2)).ok).toBe(true); // "x…x" with its quotes: exactly 65,536 bytes
  });

  it('64 KiB means 65,536 bytes of UTF-8, not 65,536 characters', () => {
    expect(MAX_PAYLOAD_BYTES).toBe(65_536);
    // 40,002 characters but 80,002 bytes: over the limit (a character count would let it through).
    const accents = 'é'.repeat(40_000);
    expect(`"${accents}"`.length).toBeLessThan(MAX_PAYLOAD_BYTES);
    expect(canonicalPayload(accents)).toMatchObject({ ok: false, code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('65536 bytes') });
    // Exactly at the limit with multi-byte text: 21,845 x "€" (3 bytes) = 65,535 bytes + 2 quotes = 65,537: one over.
    expect(canonicalPayload('€'.repeat(21_845)).ok).toBe(false);
    expect(canonicalPayload(`${'€'.repeat(21_844)}xx`)).toMatchObject({ ok: true }); // 65,532 + 2 + 2 = 65,536
    expect(Buffer.byteLength(JSON.stringify(`${'€'.repeat(21_844)}xx`))).toBe(65_536);
  });

  it('counts UTF-8 bytes the way Buffer does', () => {
    for (const s of ['', 'plain', 'é', '€', '😀', 'a😀é€\u0000', '\u{10FFFF}', 'x'.repeat(1000) + '😀'.repeat(100)]) {
      expect(utf8Length(s), s).toBe(Buffer.byteLength(s));
    }
  });

  describe('the fast path (copy + native JSON.stringify)', () => {
    it('gives the canonicalize package\'s text whenever it answers, and answers for most random values', () => {
      const rand = seededRandom(0xfa57);
      let answered = 0;
      for (let i = 0; i < 2000; i++) {
        const value = randomJson(rand);
        const fast = fastCanonical(value);
        if (fast === undefined) continue;
        answered++;
        expect(fast).toBe(canonicalize(value));
      }
      expect(answered).toBeGreaterThan(1500); // the rest have keys starting with a digit
    });

    it('answers for a decision-record-like payload, with keys given out of order', () => {
      const value = { z: 1, rules: [{ outcome: 'pass', id: 'a' }], a: { c: [1.5, -0, 'é😀'], b: null, skipped: undefined } };
      expect(fastCanonical(value)).toBe('{"a":{"b":null,"c":[1.5,0,"é😀"]},"rules":[{"id":"a","outcome":"pass"}],"z":1}');
    });

    it('leaves to the full serialiser what JSON.stringify would order or escape differently, and the result is still canonical', () => {
      const cases: [unknown, string][] = [
        [{ '10': 1, '2': 2, a: 3 }, '{"10":1,"2":2,"a":3}'], // JSON.stringify: "2" before "10"
        [JSON.parse('{"__proto__":1,"a":2}'), '{"__proto__":1,"a":2}'],
        ['\\ud800 is text, not a surrogate', '"\\\\ud800 is text, not a surrogate"'],
      ];
      for (const [value, text] of cases) {
        expect(fastCanonical(value)).toBeUndefined();
        expect(canonicalPayload(value)).toEqual({ ok: true, value: text });
        expect(canonicalize(value)).toBe(text);
      }
      const hidden = { s: 'a\ud800b' };
      expect(fastCanonical(hidden)).toBeUndefined();
      expect(canonicalPayload(hidden)).toMatchObject({ ok: false, message: expect.stringContaining('payload.s contains a lone surrogate') });
    });

    it('is not fooled by an inherited toJSON (prototype pollution)', () => {
      for (const proto of [Object.prototype, Array.prototype] as Record<string, unknown>[]) {
        proto.toJSON = () => 'polluted';
        try {
          expect(fastCanonical({ a: [1] })).toBeUndefined();
          expect(canonicalPayload({ a: [1] })).toEqual({ ok: true, value: '{"a":[1]}' });
        } finally {
          delete proto.toJSON;
        }
      }
      expect(fastCanonical({ a: [1] })).toBe('{"a":[1]}');
    });

    it('reads each value once, so a getter cannot show one value to the check and another to the text', () => {
      let reads = 0;
      const value = Object.defineProperty({}, 'n', { enumerable: true, get: () => (reads++ === 0 ? 1 : NaN) });
      expect(canonicalPayload(value)).toEqual({ ok: true, value: '{"n":1}' });
      expect(reads).toBe(1);
    });

    it('still names a cycle, a non-plain object and a bad number with their paths', () => {
      const cyclic: Record<string, unknown> = { list: [] };
      (cyclic.list as unknown[]).push(cyclic);
      expect(fastCanonical(cyclic)).toBeUndefined();
      expect(canonicalPayload(cyclic)).toMatchObject({ ok: false, message: expect.stringContaining('payload.list[0] refers back to itself') });
      expect(canonicalPayload({ a: { when: new Date(0) } })).toMatchObject({ ok: false, message: expect.stringContaining('payload.a.when is a Date') });
      expect(canonicalPayload({ a: [0, -Infinity] })).toMatchObject({ ok: false, message: expect.stringContaining('payload.a[1] is -Infinity') });
    });
  });
});
