'use client';
/**
 * The /runs page body: filters and newest-first pages of runs (keyset cursors, kept as a stack for
 * "Newer"). The filters live in the URL (Back and shared links work); Watchtower links here with them.
 */
import { useState, type FormEvent } from 'react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import type { TRunCursor } from '@/server/api/routers/runs';
import { OUTCOME_KINDS } from '@/server/core/sandbox/types';
import { exactUtc } from '@/components/ui/time-format';
import { RunList } from './run-list';
import { filtersFromParams, paramsFromFilters, type RunFilters } from './run-filters';

const PAGE = 25;
const selectClass = 'min-h-11 w-full rounded-md border border-slate-700 bg-slate-950 px-3 text-base text-slate-100 focus:outline-2 focus:outline-indigo-400';

/** A datetime-local value (no zone, the browser's local time) as an ISO instant, or undefined. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function RunsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const { filters, ignored } = filtersFromParams(useSearchParams());
  const key = paramsFromFilters(filters);
  // Pages belong to one set of filters: a new set starts again at the newest run.
  const [paging, setPaging] = useState<{ key: string; cursors: TRunCursor[] }>({ key, cursors: [] });
  const cursors = paging.key === key ? paging.cursors : [];
  const setCursors = (next: (c: TRunCursor[]) => TRunCursor[]) => setPaging({ key, cursors: next(cursors) });
  const cursor = cursors.at(-1);
  const runs = useQuery(trpc.runs.list.queryOptions({ ...filters, cursor, limit: PAGE }));

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (k: string) => String(f.get(k) ?? '').trim() || undefined;
    const next: RunFilters = {
      module: text('module'),
      decision: text('decision') as RunFilters['decision'],
      outcome: text('outcome') as RunFilters['outcome'],
      // The rule comes from a Watchtower link; it stays until cleared.
      rule: filters.rule,
      since: toIso(String(f.get('since') ?? '')) ?? filters.since,
      until: toIso(String(f.get('until') ?? '')) ?? filters.until,
    };
    const query = paramsFromFilters(next);
    router.push(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };

  return (
    <div className="flex flex-col gap-6">
      <Card title="Filters">
        {ignored.length > 0 ? <ErrorState title="Some filters in the link were not valid and are not applied" message={ignored.join(', ')} code="BAD_FILTER" /> : null}
        {filters.rule || filters.since || filters.until ? (
          <p className="mb-4 flex flex-wrap items-center gap-x-3 text-sm text-slate-200" data-testid="runs-active-filters">
            {filters.rule ? <span>Rule <span className="font-mono">{filters.rule}</span> failed</span> : null}
            {filters.since ? <span>from {exactUtc(filters.since)}</span> : null}
            {filters.until ? <span>until {exactUtc(filters.until)}</span> : null}
            <Link href={pathname} className="inline-flex min-h-11 items-center text-indigo-300 underline underline-offset-4" data-testid="runs-clear-filters">
              Clear all filters
            </Link>
          </p>
        ) : null}
        <form key={key} onSubmit={apply} className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Filter runs">
          <Input label="Module name contains" name="module" defaultValue={filters.module} placeholder="e.g. hello" autoComplete="off" data-testid="runs-filter-module" />
          <div className="flex flex-col gap-1.5">
            <label htmlFor="runs-decision" className="text-sm font-medium text-slate-200">
              Decision
            </label>
            <select id="runs-decision" name="decision" className={selectClass} data-testid="runs-filter-decision" defaultValue={filters.decision ?? ''}>
              <option value="">any</option>
              <option value="allow">allowed</option>
              <option value="deny">denied</option>
            </select>
          </div>
          <div className="flex flex-col gap-1.5">
            <label htmlFor="runs-outcome" className="text-sm font-medium text-slate-200">
              Outcome
            </label>
            <select id="runs-outcome" name="outcome" className={selectClass} data-testid="runs-filter-outcome" defaultValue={filters.outcome ?? ''}>
              <option value="">any</option>
              {OUTCOME_KINDS.map((o) => (
                <option key={o} value={o}>
                  {o === 'denied' ? 'not run (denied before execution)' : o.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          </div>
          <Input label="From (your local time)" name="since" type="datetime-local" />
          <Input label="Until (your local time)" name="until" type="datetime-local" />
          <div className="flex items-end">
            <Button type="submit" data-testid="runs-filter-apply">
              Apply filters
            </Button>
          </div>
        </form>
      </Card>

      <Card title="Runs" description="Newest first. Open a run for its full decision trace.">
        {runs.isPending ? (
          <p role="status" className="text-sm text-slate-400">
            Loading runs…
          </p>
        ) : runs.isError ? (
          <ErrorState
            title="Could not load runs"
            message={runs.error.message}
            code={errorCode(runs.error)}
            action={
              <Button variant="secondary" onClick={() => runs.refetch()}>
                Try again
              </Button>
            }
          />
        ) : runs.data.items.length === 0 ? (
          <EmptyState
            title={cursor ? 'No older runs' : 'No runs match'}
            description={cursor ? 'You have reached the oldest run for these filters.' : 'Change the filters, or run a module from its page under Modules.'}
          />
        ) : (
          <RunList runs={runs.data.items} />
        )}
        <nav aria-label="Pages" className="mt-4 flex flex-wrap gap-2">
          <Button variant="secondary" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))} data-testid="runs-newer">
            ← Newer
          </Button>
          <Button
            variant="secondary"
            disabled={!runs.data?.nextCursor}
            onClick={() => runs.data?.nextCursor && setCursors((c) => [...c, runs.data.nextCursor!])}
            data-testid="runs-older"
          >
            Older →
          </Button>
        </nav>
      </Card>
    </div>
  );
}
