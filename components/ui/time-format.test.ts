import { describe, it, expect } from 'vitest';
import { exactUtc, relativeTime } from './time-format';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('relativeTime', () => {
  it('says just now under a minute, and for a clock slightly ahead', () => {
    expect(relativeTime(ago(0), NOW)).toBe('just now');
    expect(relativeTime(ago(59_999), NOW)).toBe('just now');
    expect(relativeTime(ago(-5_000), NOW)).toBe('just now');
  });
  it('uses minutes, hours, days with correct plurals', () => {
    expect(relativeTime(ago(60_000), NOW)).toBe('1 min ago');
    expect(relativeTime(ago(59 * 60_000), NOW)).toBe('59 min ago');
    expect(relativeTime(ago(3_600_000), NOW)).toBe('1 hour ago');
    expect(relativeTime(ago(2 * 3_600_000), NOW)).toBe('2 hours ago');
    expect(relativeTime(ago(86_400_000), NOW)).toBe('1 day ago');
    expect(relativeTime(ago(29 * 86_400_000), NOW)).toBe('29 days ago');
  });
  it('shows the UTC date past 30 days, and garbage unchanged', () => {
    expect(relativeTime('2026-01-05T23:59:00.000Z', NOW)).toBe('2026-01-05');
    expect(relativeTime('not a date', NOW)).toBe('not a date');
  });
});

describe('exactUtc', () => {
  it('is the second-exact UTC time', () => {
    expect(exactUtc('2026-12-02T13:49:08.123Z')).toBe('2026-12-02 13:49:08 UTC');
    expect(exactUtc('nope')).toBe('nope');
  });
});
