/**
 * The Runs list's filters as URL search parameters, so Back and a shared link show the same list.
 * Parsing is strict and pure: a value that is not valid is dropped (and reported), never passed on.
 */
import type { TRunListInput } from '@/server/api/routers/runs';
import { OUTCOME_KINDS } from '@/server/core/sandbox/types';

export type RunFilters = Pick<TRunListInput, 'module' | 'decision' | 'outcome' | 'rule' | 'since' | 'until'>;
export const FILTER_KEYS = ['module', 'decision', 'outcome', 'rule', 'since', 'until'] as const;

type Source = { get(name: string): string | null };

const isIso = (v: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v));

export function filtersFromParams(params: Source): { filters: RunFilters; ignored: string[] } {
  const filters: RunFilters = {};
  const ignored: string[] = [];
  const take = <K extends keyof RunFilters>(key: K, ok: (v: string) => boolean) => {
    const v = params.get(key)?.trim();
    if (!v) return;
    if (ok(v)) filters[key] = v as RunFilters[K];
    else ignored.push(key);
  };
  take('module', (v) => v.length <= 64);
  take('decision', (v) => v === 'allow' || v === 'deny');
  take('outcome', (v) => (OUTCOME_KINDS as readonly string[]).includes(v));
  take('rule', (v) => /^[a-z_]{1,64}$/.test(v));
  take('since', isIso);
  take('until', isIso);
  return { filters, ignored };
}

export function paramsFromFilters(filters: RunFilters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = filters[key];
    if (v) params.set(key, v);
  }
  return params.toString();
}
