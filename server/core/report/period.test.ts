import { describe, expect, it } from 'vitest';
import { parsePeriod } from './period';

describe('report period', () => {
  it('takes dates as midnight UTC and UTC times with an offset, to exclusive', () => {
    expect(parsePeriod('2026-11-01', '2026-12-01')).toEqual({ ok: true, value: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' } });
    expect(parsePeriod('2026-11-01T10:00:00+02:00', '2026-11-01T10:00:00.5Z')).toEqual({ ok: true, value: { from: '2026-11-01T08:00:00.000Z', to: '2026-11-01T10:00:00.500Z' } });
  });

  it('refuses local times, impossible dates, empty or reversed periods, each naming the option', () => {
    expect(parsePeriod('2026-11-01T00:00:00', '2026-12-01')).toMatchObject({ ok: false, code: 'INVALID_PERIOD', message: expect.stringContaining('--from "2026-11-01T00:00:00" is not a date') });
    expect(parsePeriod('2026-11-01', '2026-02-30')).toMatchObject({ ok: false, message: '--to "2026-02-30" is not a real date' });
    expect(parsePeriod('2026-11-01', '2026-11-01')).toMatchObject({ ok: false, message: expect.stringContaining('must be before') });
    expect(parsePeriod('2026-12-01', '2026-11-01').ok).toBe(false);
    expect(parsePeriod('', '2026-11-01')).toMatchObject({ ok: false, message: expect.stringContaining('--from ""') });
    expect(parsePeriod('last month', '2026-11-01').ok).toBe(false);
    expect(parsePeriod('+012026-11-01', '2026-11-01').ok).toBe(false);
  });
});
