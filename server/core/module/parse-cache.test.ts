import { describe, it, expect } from 'vitest';
import { ParseCache, deepFreeze } from './parse-cache';

describe('ParseCache', () => {
  it('computes once per text and returns the same frozen value after', () => {
    const cache = new ParseCache<{ n: { v: number } }>();
    let calls = 0;
    const compute = (t: string) => ({ n: { v: (calls++, t.length) } });
    const first = cache.get('abc', compute);
    const second = cache.get('abc', compute);
    expect(calls).toBe(1);
    expect(second).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first!.n)).toBe(true);
  });

  it('does not keep texts longer than the key limit, and starts over when full', () => {
    const cache = new ParseCache<number>(2, 4);
    let calls = 0;
    const compute = () => ++calls;
    cache.get('long text', compute);
    cache.get('long text', compute);
    expect(calls).toBe(2);
    expect(cache.size).toBe(0);
    cache.get('a', compute);
    cache.get('b', compute);
    cache.get('c', compute);
    expect(cache.size).toBe(1);
  });

  it('leaves typed arrays writable (they cannot be frozen)', () => {
    const frozen = deepFreeze({ bytes: new Uint8Array([1]) });
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(frozen.bytes[0]).toBe(1);
  });
});
