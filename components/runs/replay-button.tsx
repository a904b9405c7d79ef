'use client';
/** Re-executes a recorded run with exactly what it was given, and shows whether the result was identical. */
import { useMutation } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';

export function ReplayButton({ runId }: { readonly runId: string }) {
  const trpc = useTRPC();
  const replay = useMutation(trpc.runs.replay.mutationOptions());
  return (
    <div className="flex flex-col gap-3">
      <div>
        <Button variant="secondary" pending={replay.isPending} onClick={() => replay.mutate({ id: runId })} data-testid="replay-run">
          Replay this run
        </Button>
      </div>
      {replay.isError ? <ErrorState title="Replay did not run" message={replay.error.message} code={errorCode(replay.error)} /> : null}
      {replay.data ? (
        <div role="status" data-testid="replay-result" data-identical={replay.data.identical}>
          {replay.data.identical ? (
            <p className="flex flex-wrap items-center gap-2 text-sm text-slate-200">
              <Badge tone="good">identical</Badge> Same outcome ({replay.data.replayed.outcome}), same fuel ({replay.data.replayed.fuelUsed.toLocaleString('en-US')}) and
              same output digest.
            </p>
          ) : (
            <div className="text-sm text-slate-200">
              <p className="flex items-center gap-2">
                <Badge tone="bad">different</Badge> The replay did not match the record:
              </p>
              <ul className="mt-2 flex flex-col gap-1">
                {replay.data.differences.map((d) => (
                  <li key={d.field} className="break-all">
                    <span className="font-mono">{d.field}</span>: recorded <span className="font-mono">{d.recorded}</span>, replayed{' '}
                    <span className="font-mono">{d.replayed}</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      ) : null}
    </div>
  );
}
