'use client';
/**
 * Independent witnesses of the audit log: the newest checkpoint each one cosigned and how far
 * behind the log it is. A refusal means a witness saw a history this log no longer extends
 * (truncated, rewritten or forked): it is shown as an alarm, with the witness's own words as text.
 */
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Badge } from '@/components/ui/badge';
import { ErrorState } from '@/components/ui/error-state';

export function WitnessStatus() {
  const trpc = useTRPC();
  const witnesses = useQuery(trpc.audit.witnesses.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (witnesses.isPending) return <p className="text-sm text-slate-400" role="status">Loading witnesses…</p>;
  if (witnesses.isError) return <ErrorState title="Could not load the witnesses" message={witnesses.error.message} code={errorCode(witnesses.error)} />;
  if (witnesses.data.length === 0) {
    return (
      <p className="text-sm text-slate-400" data-testid="witnesses-none">
        No witnesses are configured. Without one, someone who controls the database could truncate the log together with its
        checkpoints unnoticed. Run <code>nightcore witness</code> on another machine and list it in <code>witnesses.json</code> in the
        data folder.
      </p>
    );
  }
  return (
    <ul className="flex flex-col gap-2" data-testid="witness-list">
      {witnesses.data.map((w) => (
        <li key={w.name} data-testid="witness" className="min-w-0 break-words rounded-lg border border-slate-800 px-3 py-2 text-sm">
          <p className="flex flex-wrap items-center gap-2">
            <span className="break-all font-mono text-slate-200">{w.name}</span>
            {w.error?.code === 'WITNESS_REFUSED' ? (
              <Badge tone="bad">refused</Badge>
            ) : w.error ? (
              <Badge tone="warn">unreachable</Badge>
            ) : (
              <Badge tone="good">cosigning</Badge>
            )}
          </p>
          <p className="mt-1 text-slate-400">
            {w.cosignedSeq === null
              ? 'Has not cosigned a checkpoint yet.'
              : `Cosigned the checkpoint at seq ${w.cosignedSeq.toLocaleString()} (${w.cosignedAt}); ${w.lagEvents.toLocaleString()} events since.`}
          </p>
          {w.error ? (
            <p className={w.error.code === 'WITNESS_REFUSED' ? 'mt-1 text-rose-300' : 'mt-1 text-amber-300'} role={w.error.code === 'WITNESS_REFUSED' ? 'alert' : undefined}>
              {w.error.code}: {w.error.message}
            </p>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
