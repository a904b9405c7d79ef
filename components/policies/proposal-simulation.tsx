'use client';
/**
 * The simulation attached to a policy proposal: as soon as an approver opens the proposal, the
 * candidate is judged against the newest recorded runs, so the decision is made knowing which
 * decisions would change. PRO (policy_simulation): without it the server's refusal is shown.
 */
import { useEffect, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { SimulationReport } from './simulation-report';

const NEWEST_RUNS = [1_000, 10_000, 100_000] as const;

export function ProposalSimulation({ candidateJson }: { readonly candidateJson: string }) {
  const trpc = useTRPC();
  const [last, setLast] = useState<number>(NEWEST_RUNS[0]);
  const simulate = useMutation(trpc.simulation.run.mutationOptions());
  const { mutate } = simulate;
  useEffect(() => mutate({ policy: candidateJson, last }), [mutate, candidateJson, last]);

  return (
    <div className="flex flex-col gap-3" data-testid="proposal-simulation">
      <div className="flex flex-wrap items-center gap-2 text-sm text-slate-300" role="group" aria-label="How many recent runs to judge again">
        Newest runs:
        {NEWEST_RUNS.map((n) => (
          <Button key={n} variant={n === last ? 'primary' : 'secondary'} aria-pressed={n === last} onClick={() => setLast(n)} data-testid={`proposal-simulation-${n}`}>
            {n.toLocaleString('en-US')}
          </Button>
        ))}
      </div>
      {simulate.isPending ? <p className="text-sm text-slate-400">Judging recorded runs under the candidate…</p> : null}
      {simulate.isError ? <ErrorState title="Could not simulate this proposal" message={simulate.error.message} code={errorCode(simulate.error)} /> : null}
      {simulate.isSuccess ? <SimulationReport report={simulate.data} /> : null}
    </div>
  );
}
