import { describe, it, expect } from 'vitest';
import { filtersFromParams, paramsFromFilters } from './run-filters';

const parse = (q: string) => filtersFromParams(new URLSearchParams(q));

describe('run filters in the URL', () => {
  it('round-trips every filter', () => {
    const filters = { module: 'hel', decision: 'deny', outcome: 'trap', rule: 'outcome_allowed', since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' } as const;
    expect(parse(paramsFromFilters(filters))).toEqual({ filters, ignored: [] });
  });
  it('drops and reports values that are not valid, instead of sending them', () => {
    const { filters, ignored } = parse('decision=maybe&outcome=exploded&rule=x;drop&since=yesterday&module=' + 'm'.repeat(65));
    expect(filters).toEqual({});
    expect(ignored.sort()).toEqual(['decision', 'module', 'outcome', 'rule', 'since']);
  });
  it('ignores empty values and unknown keys', () => {
    expect(parse('module=&foo=bar')).toEqual({ filters: {}, ignored: [] });
    expect(paramsFromFilters({})).toBe('');
  });
});
