'use client';
/**
 * The on-call view: every quarantined module version, which rule and which outcome put it there,
 * and how long ago, as stacked cards that read well on a 375 px phone. Newest first; the filter
 * lives in the URL (?q=) so Back and a shared link keep it. Refreshes every 10 s.
 */
import { useState } from 'react';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import type { TQuarantineEntry, TReleaseHistory } from '@/server/api/routers/quarantine';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { Time } from '@/components/ui/time';
import { filterQuarantine } from './quarantine-filter';
import { QuarantineForm } from './quarantine-form';
import { ReleaseApprovals, ReleaseControl } from './release-control';
import { ReleaseHistory } from './release-history';

const SOURCE_LABEL: Record<TQuarantineEntry['source'], string> = {
  post_exec: 'post-exec failure',
  threat: 'threat score',
  manual: 'manual',
};

const versionWord = (n: number) => `${n.toLocaleString('en-US')} module ${n === 1 ? 'version' : 'versions'}`;

/** The one line on-call reads first: what put it here. */
function Cause({ q }: { q: TQuarantineEntry }) {
  if (!q.cause) {
    return <p className="mt-1 text-sm text-slate-300">{q.source === 'manual' ? `Quarantined by hand by ${q.by}.` : `Quarantined by Guardian (${SOURCE_LABEL[q.source]}); the run's record is not available.`}</p>;
  }
  return (
    <p className="mt-1 text-sm text-slate-200" data-testid="quarantine-cause">
      Rule <span className="font-mono font-semibold text-slate-50">{q.cause.rule ?? 'default deny'}</span> failed {q.cause.phase === 'pre' ? 'before running' : 'after running'}; the module{' '}
      <span className="font-semibold text-slate-50">{q.cause.outcomeText}</span>.
    </p>
  );
}

export function QuarantineBoard({
  initial, history, canAdd, canRelease, username, initialQuery = '',
}: { initial: TQuarantineEntry[]; history: TReleaseHistory[]; canAdd: boolean; canRelease: boolean; username: string; initialQuery?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const [query, setQuery] = useState(initialQuery);
  const list = useQuery({ ...trpc.quarantine.list.queryOptions(), initialData: initial, refetchInterval: 10_000 });
  const shown = filterQuarantine(list.data, query);
  const onFilter = (value: string) => {
    setQuery(value);
    const params = new URLSearchParams(value.trim() ? { q: value } : {});
    router.replace(params.size ? `${pathname}?${params}` : pathname, { scroll: false });
  };

  return (
    <div className="space-y-4">
      {list.isError ? <ErrorState title="Could not refresh the quarantine list" message="Showing the last list received; it retries on its own." code={errorCode(list.error)} /> : null}
      {list.data.length === 0 ? (
        <EmptyState title="Nothing in quarantine" description="Guardian quarantines a module when it fails post-exec checks or its threat score reaches the quarantine band; operators can quarantine by hand." />
      ) : (
        <>
        <div className="flex flex-col gap-2 sm:flex-row sm:items-end sm:justify-between">
          <p className="text-sm text-slate-300" data-testid="quarantine-count" aria-live="polite">
            {shown.length === list.data.length ? `${versionWord(list.data.length)} in quarantine, newest first` : `Showing ${shown.length.toLocaleString('en-US')} of ${versionWord(list.data.length)}`}
          </p>
          <div className="sm:w-72">
            <Input label="Filter" type="search" value={query} onChange={(e) => onFilter(e.target.value)} placeholder="module, rule or outcome" autoComplete="off" data-testid="quarantine-filter" />
          </div>
        </div>
        {shown.length === 0 ? <EmptyState title="No quarantined module matches" description={`Nothing in quarantine mentions "${query.trim()}". Clear the filter to see all of them.`} /> : null}
        <ul className="space-y-3" data-testid="quarantine-list">
          {shown.map((q) => (
            <li key={q.id} className="rounded-lg border border-rose-900/60 bg-slate-900/70 p-4" data-testid="quarantine-row">
              <div className="flex flex-wrap items-center gap-2">
                <Link
                  href={`/modules/${encodeURIComponent(q.moduleName)}`}
                  className="inline-flex min-h-11 items-center text-lg font-semibold text-slate-50 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-400"
                >
                  {q.moduleName}
                  {q.versions.length > 0 ? `@${q.versions.join(', ')}` : ''}
                </Link>
                <Badge tone="bad">{SOURCE_LABEL[q.source]}</Badge>
                <Time iso={q.since} className="text-sm text-slate-300" testId="quarantine-age" />
              </div>
              <Cause q={q} />
              <p className="mt-1 whitespace-pre-wrap break-words text-sm text-slate-300">{q.reason}</p>
              <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
                <dt className="text-slate-400">By</dt>
                <dd className="break-all text-slate-200">{q.by}</dd>
                <dt className="text-slate-400">Digest</dt>
                <dd className="break-all font-mono text-xs text-slate-300">{q.wasmSha256}</dd>
                {q.runId ? (
                  <>
                    <dt className="text-slate-400">Run</dt>
                    <dd>
                      <Link href={`/runs/${encodeURIComponent(q.runId)}`} className="inline-flex min-h-11 items-center text-indigo-300 underline-offset-4 hover:underline">
                        the run that triggered it
                      </Link>
                    </dd>
                  </>
                ) : null}
              </dl>
              <div className="mt-3 space-y-2">
                <ReleaseApprovals release={q.release} />
                {canRelease ? <ReleaseControl entry={q} username={username} /> : null}
              </div>
            </li>
          ))}
        </ul>
        </>
      )}
      {canAdd ? <QuarantineForm /> : null}
      <ReleaseHistory initial={history} />
    </div>
  );
}
