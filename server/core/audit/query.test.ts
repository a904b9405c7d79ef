import { describe, it, expect } from 'vitest';
import { normalizeFilter, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './query';

describe('normalizeFilter', () => {
  it('fills defaults and orders ascending only when paging forward', () => {
    expect(normalizeFilter({})).toEqual({ ok: true, value: { ascending: false, limit: DEFAULT_PAGE_LIMIT } });
    expect(normalizeFilter({ afterSeq: 10, limit: 5, action: 'key.added', actor: 'user:a' })).toMatchObject({
      ok: true,
      value: { afterSeq: 10, ascending: true, limit: 5, action: 'key.added', actor: 'user:a' },
    });
  });

  it('reports every bad field', () => {
    const r = normalizeFilter({ afterSeq: -1, beforeSeq: 1.5, limit: MAX_PAGE_LIMIT + 1, action: 'key.nope', subject: '' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('INVALID_QUERY');
      expect(r.issues).toHaveLength(5);
    }
  });
});
