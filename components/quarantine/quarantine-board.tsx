'use client';
/**
 * The on-call view: every quarantined module version, why and since when, as stacked cards that
 * read well on a 375 px phone. Starts from the server's list and refreshes every 10 s.
 */
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import type { TQuarantineEntry } from '@/server/api/routers/quarantine';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { QuarantineForm } from './quarantine-form';
import { ReleaseControl } from './release-control';

const SOURCE_LABEL: Record<TQuarantineEntry['source'], string> = {
  post_exec: 'post-exec failure',
  threat: 'threat score',
  manual: 'manual',
};

function since(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function QuarantineBoard({ initial, canAdd, canRelease }: { initial: TQuarantineEntry[]; canAdd: boolean; canRelease: boolean }) {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.quarantine.list.queryOptions(), initialData: initial, refetchInterval: 10_000 });

  return (
    <div className="space-y-4">
      {list.isError ? <ErrorState title="Could not refresh the quarantine list" message="Showing the last list received; it retries on its own." code={errorCode(list.error)} /> : null}
      {list.data.length === 0 ? (
        <EmptyState title="Nothing in quarantine" description="Guardian quarantines a module when it fails post-exec checks or its threat score reaches the quarantine band; operators can quarantine by hand." />
      ) : (
        <ul className="space-y-3" data-testid="quarantine-list">
          {list.data.map((q) => (
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
              </div>
              <p className="mt-1 whitespace-pre-wrap break-words text-slate-200">{q.reason}</p>
              <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
                <dt className="text-slate-400">Since</dt>
                <dd className="text-slate-200">
                  <time dateTime={q.since}>{since(q.since)}</time>
                </dd>
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
              {canRelease ? (
                <div className="mt-3">
                  <ReleaseControl wasmSha256={q.wasmSha256} moduleName={q.moduleName} />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canAdd ? <QuarantineForm /> : null}
    </div>
  );
}
