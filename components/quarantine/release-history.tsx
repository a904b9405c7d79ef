'use client';
/** Releases, latest first: what was held and why, who signed its release, when, and their reasons. */
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/components/providers';
import type { TReleaseHistory } from '@/server/api/routers/quarantine';
import { Card } from '@/components/ui/card';
import { Time } from '@/components/ui/time';

export function ReleaseHistory({ initial }: { initial: TReleaseHistory[] }) {
  const trpc = useTRPC();
  const history = useQuery({ ...trpc.quarantine.history.queryOptions(), initialData: initial, refetchInterval: 30_000 });
  return (
    <Card title="Release history">
      {history.data.length === 0 ? (
        <p className="text-sm text-slate-400">Nothing has been released yet.</p>
      ) : (
        <ul className="space-y-3" data-testid="release-history">
          {history.data.map((r) => (
            <li key={r.id} className="space-y-1 text-sm" data-testid="release-history-row">
              <p className="text-slate-100">
                <span className="font-semibold">{r.moduleName}</span> released <Time iso={r.releasedAt} /> after quarantine since <Time iso={r.since} />
              </p>
              <p className="break-words text-slate-400">Held because: {r.reason}</p>
              <ul className="ml-4 list-disc text-slate-300">
                {r.approvals.map((a) => (
                  <li key={a.keyid + a.time} data-testid="release-history-approval">
                    {a.username} signed <Time iso={a.time} />: {a.reason}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
