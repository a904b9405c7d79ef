'use client';
/**
 * "Verify chain": POSTs to /api/audit/verify and follows its NDJSON lines (start, progress,
 * result). The server records the verification as an 'audit.verified' event.
 */
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Badge } from '@/components/ui/badge';
import { ErrorState } from '@/components/ui/error-state';
import { readNdjson } from './ndjson';

type Line =
  | { type: 'start'; total: number }
  | { type: 'progress'; events: number; total: number }
  | { type: 'result'; ok: true; events: number; checkpoints: number; uncheckpointed: number; recorded: boolean }
  | { type: 'result'; ok: false; code: string; seq: number; message: string; events: number; recorded: boolean };
type Result = Extract<Line, { type: 'result' }>;

type State =
  | { phase: 'idle' }
  | { phase: 'running'; total: number; done: number }
  | { phase: 'finished'; result: Result }
  | { phase: 'failed'; message: string; code?: string };

export function VerifyChain({ onFinished }: { readonly onFinished?: () => void }) {
  const [state, setState] = useState<State>({ phase: 'idle' });

  async function verify() {
    setState({ phase: 'running', total: 0, done: 0 });
    try {
      const res = await fetch('/api/audit/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
        setState({ phase: 'failed', message: body?.error?.message ?? `the server answered ${res.status}`, code: body?.error?.code });
        return;
      }
      let result: Result | undefined;
      await readNdjson(res.body, (value) => {
        const line = value as Line;
        if (line.type === 'start') setState({ phase: 'running', total: line.total, done: 0 });
        else if (line.type === 'progress') setState({ phase: 'running', total: line.total, done: line.events });
        else if (line.type === 'result') result = line;
      });
      setState(result ? { phase: 'finished', result } : { phase: 'failed', message: 'the verification stopped before it reported a result' });
    } catch {
      setState({ phase: 'failed', message: 'the connection to the server was lost during verification' });
    } finally {
      onFinished?.();
    }
  }

  const running = state.phase === 'running';
  return (
    <div className="flex flex-col gap-3" data-testid="verify-panel">
      <div className="flex flex-wrap items-center gap-3">
        <Button onClick={verify} pending={running} data-testid="verify-chain">
          {running ? 'Verifying…' : 'Verify chain'}
        </Button>
        <p className="text-sm text-slate-400">Re-hashes every event and checks every signed checkpoint.</p>
      </div>
      {running ? <Progress total={state.total} done={state.done} /> : null}
      {state.phase === 'finished' ? <Outcome result={state.result} /> : null}
      {state.phase === 'failed' ? (
        <ErrorState title="Verification did not finish" message={`${state.message}. Try again; if it keeps failing, run "nightcore audit verify" on the server.`} code={state.code} />
      ) : null}
    </div>
  );
}

function Progress({ total, done }: { readonly total: number; readonly done: number }) {
  const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : undefined;
  return (
    <div data-testid="verify-progress">
      <div
        role="progressbar"
        aria-label="Verifying the audit chain"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-800"
      >
        <div
          className={percent === undefined || done === 0 ? 'h-full w-1/3 animate-pulse rounded-full bg-indigo-500' : 'h-full rounded-full bg-indigo-500 transition-all'}
          style={percent && done > 0 ? { width: `${percent}%` } : undefined}
        />
      </div>
      <p className="mt-1 text-sm text-slate-300" aria-live="polite">
        {done > 0 ? `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} events checked` : `Checking ${total.toLocaleString('en-US')} events…`}
      </p>
    </div>
  );
}

function Outcome({ result }: { readonly result: Result }) {
  const notRecorded = result.recorded ? null : <p className="mt-1 text-amber-300">The result could not be written to the audit log.</p>;
  if (result.ok) {
    return (
      <div role="status" data-testid="verify-result" data-ok="true" className="rounded-lg border border-emerald-800 bg-emerald-950/50 px-4 py-3 text-sm text-emerald-200">
        <p className="flex flex-wrap items-center gap-2 font-medium text-emerald-100">
          <Badge tone="good">intact</Badge> The chain is intact.
        </p>
        <p className="mt-1">
          {result.events.toLocaleString('en-US')} events and {result.checkpoints.toLocaleString('en-US')} signed checkpoints verified
          {result.uncheckpointed > 0 ? `; the newest ${result.uncheckpointed.toLocaleString('en-US')} events are not yet covered by a checkpoint` : ''}.
        </p>
        {notRecorded}
      </div>
    );
  }
  return (
    <div role="alert" data-testid="verify-result" data-ok="false" className="rounded-lg border border-rose-800 bg-rose-950/60 px-4 py-3 text-sm text-rose-200">
      <p className="flex flex-wrap items-center gap-2 font-medium text-rose-100">
        <Badge tone="bad">broken</Badge> The chain is broken at seq {result.seq}.
      </p>
      <p className="mt-1">{result.message}</p>
      <p className="mt-1 font-mono text-xs text-rose-300">code: {result.code}</p>
      <p className="mt-1">Events before seq {result.seq} ({result.events.toLocaleString('en-US')}) verified. Treat the log as tampered and keep a copy for investigation.</p>
      {notRecorded}
    </div>
  );
}
