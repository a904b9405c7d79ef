import { describe, it, expect } from 'vitest';
import { canonicalJson } from './canonical';

const canon = (v: unknown) => {
  const r = canonicalJson(v);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops whitespace', () => {
    expect(canon({ b: 1, a: [true, null, 'x'], A: {} })).toBe('{"A":{},"a":[true,null,"x"],"b":1}');
    // RFC 8785 section 3.2.3: "\u20ac" sorts after "\r" and before the surrogate pair key.
    expect(canon({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '1': 4 })).toBe('{"\\r":2,"1":4,"€":1,"😀":3}');
  });

  it('serializes numbers the ECMAScript way (RFC 8785 section 3.2.2.3)', () => {
    expect(canon([1e21, 1e-7, -0, 0.000001, 333333333.33333329, 4.5])).toBe('[1e+21,1e-7,0,0.000001,333333333.3333333,4.5]');
  });

  it('gives the same text whatever the key order', () => {
    expect(canon({ x: { z: 1, y: 2 }, w: 0 })).toBe(canon(JSON.parse('{"w":0,"x":{"y":2,"z":1}}')));
  });

  it.each([
    [{ a: undefined }, /\$\.a \(undefined\)/],
    [{ a: () => 1 }, /\$\.a \(function\)/],
    [{ n: NaN }, /\$\.n \(NaN\)/],
    [[Infinity], /\$\[0\] \(Infinity\)/],
    [{ d: new Date(0) }, /\$\.d \(a Date object\)/],
    [{ b: 1n }, /\$\.b \(bigint\)/],
    [{ s: '\ud800' }, /lone surrogate/],
    [[1, , 3], /\$\[1\] \(a hole\)/],
    [undefined, /\$ \(undefined\)/],
  ])('rejects a non-JSON value %#', (value, message) => {
    const r = canonicalJson(value);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('NOT_JSON');
      expect(r.message).toMatch(message);
    }
  });

  it('rejects circular structures but accepts shared, non-circular ones', () => {
    const shared = { k: 1 };
    expect(canon({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    const r = canonicalJson(loop);
    expect(!r.ok && r.message).toMatch(/circular/);
  });
});
