'use client';
/**
 * Sign a decision in the browser. The approval key is created here (private part sealed with the
 * person's passphrase, see browser-key.ts) and only its public part is registered with the server.
 * The statement shows exactly what will be signed before the person signs it.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import type { TStatementFields } from '@/server/api/routers/inbox';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { createBrowserKey, loadKey, saveKey, signWithBrowserKey, MIN_PASSPHRASE, type StoredKey } from './browser-key';
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
  const register = useMutation(trpc.inbox.registerKey.mutationOptions());
  const decideSubmission = useMutation(trpc.inbox.decide.mutationOptions({ onSuccess: () => router.refresh() }));
  const decideProposal = useMutation(trpc.policies.decide.mutationOptions({ onSuccess: () => router.refresh() }));
  const decide = target === 'submission' ? decideSubmission : decideProposal;

  async function createKey(e: FormEvent) {
    e.preventDefault();
    setProblem(null);
    setBusy(true);
    try {
      const created = await createBrowserKey(passphrase);
      await register.mutateAsync({ publicKey: created.publicKey });
      saveKey(window.localStorage, username, created);
      setKey(created);
      setPassphrase('');
    } catch (x) {
      setProblem((x as Error).message);
    } finally {
      setBusy(false);
    }
  }

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
      <form onSubmit={createKey} className="space-y-2" noValidate>
        <p className="text-sm text-slate-300">
          {key ? 'The key in this browser is not registered to you on this server. Create a new one.' : 'Create your approval key. Its private part stays in this browser, sealed with your passphrase.'}
        </p>
        <Input label="Passphrase" type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} hint={`At least ${MIN_PASSPHRASE} characters. Nobody can recover it.`} data-testid="key-passphrase" />
        <Button type="submit" pending={busy} data-testid="create-key">
          Create and register my key
        </Button>
        {problem ? <ErrorState title="No key created" message={problem} /> : null}
        {register.isError ? <ErrorState title="Not registered" message={register.error.message} code={errorCode(register.error)} /> : null}
      </form>
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
