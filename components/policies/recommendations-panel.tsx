'use client';
/**
 * Recommendations on the policies page: tighter limits and grants learned from recorded runs, each
 * with its evidence, its simulation and its candidate policy. Nothing is applied here: copying the
 * candidate and submitting it as a proposal is a person's decision. PRO (refused on the server).
 */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { SimulationReport } from './simulation-report';

export function RecommendationsPanel() {
  const trpc = useTRPC();
  const [asked, setAsked] = useState(false);
  const recs = useQuery({ ...trpc.simulation.recommend.queryOptions({ last: 1000 }), enabled: asked, retry: false });
  return (
    <Card
      title="Recommendations"
      description="Tighter limits and grants the newest 1,000 runs support, with evidence and simulation. Nothing is applied: a person submits a candidate as a proposal. PRO feature."
      actions={
        <Button variant="secondary" onClick={() => (asked ? void recs.refetch() : setAsked(true))} pending={recs.isFetching} data-testid="recommend-run">
          {asked ? 'Refresh' : 'Recommend'}
        </Button>
      }
    >
      {!asked ? null : recs.isError ? (
        <ErrorState title="Could not recommend" message={recs.error.message} code={errorCode(recs.error)} />
      ) : recs.data === undefined ? (
        <p role="status" className="text-sm text-slate-400">
          Reading the history…
        </p>
      ) : recs.data.length === 0 ? (
        <p className="text-sm text-slate-400">Nothing in the recorded runs supports a tighter limit or grant.</p>
      ) : (
        <ol className="flex flex-col gap-6" data-testid="recommendations">
          {recs.data.map((r) => (
            <li key={r.id} className="flex flex-col gap-2" data-recommendation={r.id}>
              <h3 className="font-medium text-slate-100">{r.title}</h3>
              <p className="text-sm text-slate-300">{r.explanation}</p>
              <details>
                <summary className="cursor-pointer text-sm text-indigo-300">Simulation of this change</summary>
                <SimulationReport report={r.simulation} />
              </details>
              <details>
                <summary className="cursor-pointer text-sm text-indigo-300">Candidate policy (submit it as a proposal to adopt it)</summary>
                <pre className="max-h-64 overflow-auto rounded-md bg-slate-950 p-2 text-xs">{JSON.stringify(r.candidate, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
