'use client';
/**
 * Sign a decision in the browser. The approval key is created here (private part sealed with the
 * person's passphrase, see browser-key.ts) and only its public part is registered with the server.
 * The statement shows exactly what will be signed before the person signs it.
 */
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import type { TStatementFields } from '@/server/api/routers/inbox';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { loadKey, signWithBrowserKey, type StoredKey } from './browser-key';
import { KeySetup } from './key-setup';
import type { Statement } from './approval-statement';

/** `target`: what is decided — an inbox submission (default) or a policy proposal; the same statement format signs both. */
export function DecisionPanel({
  id,
  username,
  fields,
  registered,
  target = 'submission',
}: {
  id: string;
  username: string;
  fields: TStatementFields;
  registered: readonly string[];
  target?: 'submission' | 'policy proposal';
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [key, setKey] = useState<StoredKey | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setKey(loadKey(window.localStorage, username)), [username]);
  const decideSubmission = useMutation(trpc.inbox.decide.mutationOptions({ onSuccess: () => router.refresh() }));
  const decideProposal = useMutation(trpc.policies.decide.mutationOptions({ onSuccess: () => router.refresh() }));
  const decide = target === 'submission' ? decideSubmission : decideProposal;

  async function sign(decision: Statement['decision']) {
    if (!key) return;
    if (!reason.trim()) return setProblem('A reason is required; it is signed and recorded.');
    setProblem(null);
    setBusy(true);
    try {
      const statement: Statement = { ...fields, decision, reason: reason.trim(), time: new Date().toISOString() };
      const signed = await signWithBrowserKey(key, passphrase, statement);
      if (target === 'submission') decideSubmission.mutate({ id, signed });
      else decideProposal.mutate({ id, signed });
    } catch (x) {
      setProblem((x as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!key || !registered.includes(key.keyid)) {
    return (
      <KeySetup
        username={username}
        stale={key !== null}
        onCreated={(created) => {
          setKey(created);
          router.refresh();
        }}
      />
    );
  }
  return (
    <div className="space-y-3">
      <details className="text-xs text-slate-400">
        <summary className="cursor-pointer">What you sign</summary>
        <pre className="mt-2 overflow-x-auto whitespace-pre-wrap break-all">{JSON.stringify({ ...fields, decision: '…', reason: reason || '…', time: 'now' }, null, 2)}</pre>
      </details>
      <Input label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} data-testid="decision-reason" />
      <Input label="Passphrase of your approval key" type="password" autoComplete="current-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} data-testid="decision-passphrase" />
      <div className="flex flex-col gap-2 sm:flex-row">
        <Button onClick={() => void sign('approve')} pending={busy || decide.isPending} data-testid="sign-approve">
          Sign approval
        </Button>
        <Button variant="secondary" onClick={() => void sign('reject')} pending={busy || decide.isPending} data-testid="sign-reject">
          Sign rejection
        </Button>
      </div>
      <p className="text-xs text-slate-500">Key {key.keyid.slice(0, 16)}… in this browser.</p>
      {problem ? <ErrorState title="Not signed" message={problem} /> : null}
      {decide.isError ? <ErrorState title="Not accepted" message={decide.error.message} code={errorCode(decide.error)} /> : null}
      {decide.isSuccess ? <p className="text-sm text-emerald-300" role="status">Recorded. The {target} is {decide.data.state}: {decide.data.detail}</p> : null}
    </div>
  );
}
