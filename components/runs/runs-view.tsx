'use client';
/** The /runs page body: filters and newest-first pages of runs (keyset cursors, kept as a stack for "Newer"). */
import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import type { TRunCursor, TRunListInput } from '@/server/api/routers/runs';
import { OUTCOME_KINDS } from '@/server/core/sandbox/types';
import { RunList } from './run-list';

const PAGE = 25;
const selectClass = 'min-h-11 w-full rounded-md border border-slate-700 bg-slate-950 px-3 text-base text-slate-100 focus:outline-2 focus:outline-indigo-400';

type Filters = Pick<TRunListInput, 'module' | 'decision' | 'outcome' | 'since' | 'until'>;

/** A datetime-local value (no zone, the browser's local time) as an ISO instant, or undefined. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function RunsView({ initialModule }: { readonly initialModule?: string }) {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({ module: initialModule || undefined });
  const [cursors, setCursors] = useState<TRunCursor[]>([]);
  const cursor = cursors.at(-1);
  const runs = useQuery(trpc.runs.list.queryOptions({ ...filters, cursor, limit: PAGE }));

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (k: string) => String(f.get(k) ?? '').trim() || undefined;
    setFilters({
      module: text('module'),
      decision: text('decision') as Filters['decision'],
      outcome: text('outcome') as Filters['outcome'],
      since: toIso(String(f.get('since') ?? '')),
      until: toIso(String(f.get('until') ?? '')),
    });
    setCursors([]);
  };

  return (
    <div className="flex flex-col gap-6">
      <Card title="Filters">
        <form onSubmit={apply} className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Filter runs">
          <Input label="Module name" name="module" defaultValue={initialModule} placeholder="e.g. hello" autoComplete="off" data-testid="runs-filter-module" />
          <div className="flex flex-col gap-1.5">
            <label htmlFor="runs-decision" className="text-sm font-medium text-slate-200">
              Decision
            </label>
            <select id="runs-decision" name="decision" className={selectClass} data-testid="runs-filter-decision" defaultValue="">
              <option value="">any</option>
              <option value="allow">allowed</option>
              <option value="deny">denied</option>
            </select>
          </div>
          <div className="flex flex-col gap-1.5">
            <label htmlFor="runs-outcome" className="text-sm font-medium text-slate-200">
              Outcome
            </label>
            <select id="runs-outcome" name="outcome" className={selectClass} data-testid="runs-filter-outcome" defaultValue="">
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
