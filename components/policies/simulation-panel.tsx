'use client';
/**
 * Standalone simulation on the policies page: edit a candidate (it starts as the policy in force),
 * choose how many recent runs, and see what would change. The server refuses it without PRO
 * (policy_simulation); the refusal is shown as the server words it.
 */
import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { SimulationReport } from './simulation-report';

export function SimulationPanel({ initialPolicy }: { readonly initialPolicy: string }) {
  const trpc = useTRPC();
  const [policy, setPolicy] = useState(initialPolicy);
  const [last, setLast] = useState(1000);
  const simulate = useMutation(trpc.simulation.run.mutationOptions());

  function submit(e: FormEvent) {
    e.preventDefault();
    simulate.mutate({ policy, last });
  }

  return (
    <Card title="Simulate a candidate policy" description="Judges recorded runs again under the candidate, without running anything, and shows which decisions would change. PRO feature.">
      <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Simulate a policy" data-testid="simulation-form">
        <label className="flex flex-col gap-1.5 text-sm font-medium text-slate-200">
          Candidate policy (JSON)
          <textarea
            value={policy}
            onChange={(e) => setPolicy(e.target.value)}
            rows={10}
            spellCheck={false}
            className="rounded-md border border-slate-700 bg-slate-950 p-3 font-mono text-xs text-slate-100 focus:outline-2 focus:outline-offset-1 focus:outline-indigo-400"
            data-testid="simulation-policy"
          />
        </label>
        <label className="flex items-center gap-2 text-sm text-slate-200">
          Newest runs
          <input
            type="number"
            min={1}
            max={200000}
            value={last}
            onChange={(e) => setLast(Math.max(1, Math.floor(Number(e.target.value) || 1)))}
            className="w-28 rounded-md border border-slate-700 bg-slate-950 px-2 py-1 text-slate-100"
            data-testid="simulation-last"
          />
        </label>
        <div>
          <Button type="submit" pending={simulate.isPending} data-testid="simulation-run">
            Simulate
          </Button>
        </div>
      </form>
      {simulate.isError ? <ErrorState title="Could not simulate" message={simulate.error.message} code={errorCode(simulate.error)} /> : null}
      {simulate.isSuccess ? <div className="mt-4"><SimulationReport report={simulate.data} /></div> : null}
    </Card>
  );
}
