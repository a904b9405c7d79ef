import { describe, expect, it } from 'vitest';
import { countOf } from './count';

describe('countOf', () => {
  it('uses the singular for exactly one and groups digits', () => {
    expect(countOf(1, 'page')).toBe('1 page');
    expect(countOf(0, 'page')).toBe('0 pages');
    expect(countOf(1_000_000, 'run')).toBe('1,000,000 runs');
    expect(countOf(2, 'failed sign-in')).toBe('2 failed sign-ins');
    expect(countOf(3, 'entry', 'entries')).toBe('3 entries');
  });
});
