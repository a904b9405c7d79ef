'use client';
/** A destination's delivery log, newest first: which events, which try, the answer, the time it took. */
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Badge } from '@/components/ui/badge';
import { ErrorState } from '@/components/ui/error-state';

export function AttemptsList({ name, limit }: { readonly name: string; readonly limit: number }) {
  const trpc = useTRPC();
  const attempts = useQuery({ ...trpc.delivery.attempts.queryOptions({ name, limit }), refetchInterval: 5_000 });
  if (attempts.isPending) return <p role="status" className="text-slate-400">Loading attempts…</p>;
  if (attempts.isError) return <ErrorState title="Could not load the delivery log" message={attempts.error.message} code={errorCode(attempts.error)} />;
  if (attempts.data.length === 0) return <p className="text-slate-400">No attempts yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="attempts-table">
        <thead className="text-slate-400">
          <tr>
            <th className="py-1 pr-3 font-medium">When (UTC)</th>
            <th className="py-1 pr-3 font-medium">Result</th>
            <th className="py-1 pr-3 font-medium">Events (seq)</th>
            <th className="py-1 pr-3 font-medium">Try</th>
            <th className="py-1 pr-3 font-medium">Latency</th>
            <th className="py-1 font-medium">Answer</th>
          </tr>
        </thead>
        <tbody className="text-slate-300">
          {attempts.data.map((a) => (
            <tr key={a.id} className="border-t border-slate-800 align-top" data-testid="attempt-row" data-ok={a.ok}>
              <td className="py-1 pr-3 whitespace-nowrap">{new Date(a.at).toISOString().replace('T', ' ').replace('Z', '')}</td>
              <td className="py-1 pr-3">{a.ok ? <Badge tone="good">delivered</Badge> : <Badge tone="bad">failed</Badge>}</td>
              <td className="py-1 pr-3 font-mono">{a.firstSeq === a.lastSeq ? a.firstSeq : `${a.firstSeq}–${a.lastSeq} (${a.events})`}</td>
              <td className="py-1 pr-3">{a.attempt}</td>
              <td className="py-1 pr-3">{a.latencyMs} ms</td>
              <td className="py-1 break-words">{[a.httpStatus ? `HTTP ${a.httpStatus}` : null, a.error].filter(Boolean).join(': ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
