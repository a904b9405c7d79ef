/** Runs as a list of rows that are whole-row links: a table's columns on wide screens, stacked on phones. */
import Link from 'next/link';
import type { TRunSummary } from '@/server/api/routers/run-views';
import type { TRunWhy } from '@/server/api/routers/run-why';
import { Time } from '@/components/ui/time';
import { DecisionBadge, OutcomeBadge } from './badges';
import { shortDigest } from './digest';

/** The "why" of a denied row: the failing rule, and how the module ended if it ran. */
function Why({ why }: { readonly why: TRunWhy }) {
  return (
    <span className="block text-sm text-rose-200" data-testid="runs-row-why">
      <span className="font-mono">{why.rule ?? 'default deny'}</span> failed {why.phase === 'pre' ? 'before running' : `after running; ${why.outcomeText}`}
    </span>
  );
}

/** A run whose decision record could not be read: said in its row, with what to do. */
function Unreadable({ problem }: { readonly problem: string }) {
  return (
    <span className="block text-sm text-amber-200" data-testid="runs-row-record-problem">
      Decision record unreadable ({problem}); check the log with <span className="font-mono">nightcore audit verify</span>
    </span>
  );
}

export function RunList({
  runs,
  showModule = true,
}: {
  readonly runs: readonly (TRunSummary & { why?: TRunWhy | null; recordProblem?: string | null })[];
  readonly showModule?: boolean;
}) {
  return (
    <ul className="flex flex-col divide-y divide-slate-800" data-testid="runs-list">
      {runs.map((r) => (
        <li key={r.id} data-testid="runs-row" data-run-id={r.id} data-decision={r.decision}>
          <Link
            href={`/runs/${encodeURIComponent(r.id)}`}
            className="grid min-h-11 gap-1 rounded-md px-2 py-3 hover:bg-slate-800/60 focus-visible:outline-2 focus-visible:outline-indigo-400 md:grid-cols-[minmax(0,1.5fr)_auto_minmax(0,1fr)_minmax(0,1fr)] md:items-center md:gap-4"
          >
            <span className="min-w-0">
              {showModule ? (
                <span className="block break-all font-medium text-slate-100">
                  {r.moduleName}@{r.moduleVersion}
                </span>
              ) : null}
              <span className="block font-mono text-xs text-slate-400">{shortDigest(r.id)}</span>
              {r.why ? <Why why={r.why} /> : null}
              {r.recordProblem ? <Unreadable problem={r.recordProblem} /> : null}
            </span>
            <span className="flex flex-wrap gap-2">
              <DecisionBadge decision={r.decision} />
              <OutcomeBadge outcome={r.outcome} />
            </span>
            <span className="text-sm text-slate-300">
              <Time iso={r.startedAt} />
            </span>
            <span className="truncate text-sm text-slate-400">
              by {r.actor} · threat {r.threatScore} · fuel {r.fuelUsed.toLocaleString('en-US')}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
