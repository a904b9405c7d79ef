'use client';
/**
 * "Prove an event": fetches the inclusion proof of one event and checks it here, in the browser
 * (proof-check.ts), step by step. The verifier key is shown so it can be compared with the one the
 * reader got elsewhere (`nightcore audit key`); a key from the same server proves nothing alone.
 */
import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { ErrorState } from '@/components/ui/error-state';
import { checkInclusionInBrowser, type ProofStep } from './proof-check';

type State =
  | { phase: 'idle' }
  | { phase: 'running' }
  | { phase: 'done'; ok: boolean; steps: ProofStep[]; verifierKey: string; bundle: string }
  | { phase: 'failed'; message: string; code?: string };

export function ProveEvent() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [seq, setSeq] = useState('');
  const [state, setState] = useState<State>({ phase: 'idle' });
  const valid = /^[1-9][0-9]{0,14}$/.test(seq);

  async function prove(event: FormEvent) {
    event.preventDefault();
    if (!valid) return;
    setState({ phase: 'running' });
    try {
      const answer = await queryClient.fetchQuery({ ...trpc.audit.prove.queryOptions({ seq: Number(seq) }), staleTime: 0 });
      const checked = checkInclusionInBrowser(answer.bundle, answer.verifierKey);
      setState({ phase: 'done', ...checked, verifierKey: answer.verifierKey, bundle: JSON.stringify(answer.bundle, null, 2) });
    } catch (e) {
      setState({ phase: 'failed', message: (e as Error).message, code: errorCode(e) });
    }
  }

  return (
    <div className="flex min-w-0 flex-col gap-3" data-testid="prove-panel">
      <form onSubmit={prove} className="flex flex-wrap items-end gap-3">
        <Input label="Event seq" inputMode="numeric" value={seq} onChange={(e) => setSeq(e.target.value.trim())} error={seq && !valid ? 'a positive whole number' : undefined} data-testid="prove-seq" />
        <Button type="submit" disabled={!valid} pending={state.phase === 'running'} data-testid="prove-event">
          Prove and check here
        </Button>
      </form>
      {state.phase === 'failed' ? <ErrorState title="No proof" message={state.message} code={state.code} /> : null}
      {state.phase === 'done' ? (
        <div role={state.ok ? 'status' : 'alert'} data-testid="prove-result" data-ok={String(state.ok)} className="min-w-0 break-words text-sm">
          <p className={state.ok ? 'font-medium text-emerald-200' : 'font-medium text-rose-200'}>
            {state.ok ? 'Checked in this browser: the event is in the signed log.' : 'The proof does not hold.'}
          </p>
          <ol className="mt-2 list-inside list-decimal text-slate-300">
            {state.steps.map((s, i) => (
              <li key={i} className={s.ok ? '' : 'text-rose-300'}>
                {s.ok ? 'ok: ' : 'failed: '}
                {s.text}
              </li>
            ))}
          </ol>
          <p className="mt-2 text-slate-400">
            Verifier key (compare it with the one you hold): <code className="break-all text-slate-200">{state.verifierKey}</code>
          </p>
          <details className="mt-2">
            <summary className="cursor-pointer text-slate-400">The proof (check it offline with nightcore audit check)</summary>
            <pre className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-2 text-xs text-slate-300">{state.bundle}</pre>
          </details>
        </div>
      ) : null}
    </div>
  );
}
