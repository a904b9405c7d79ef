'use client';
/**
 * Sign to release one quarantined version. Nobody releases alone (unless the approval policy's
 * quorum is one person): each approver signs a `release` statement in their browser, bound to this
 * quarantine entry, with a reason; the entry is released when the quorum is met. Shows the
 * approvals collected and what is still needed.
 */
import { useEffect, useId, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import type { TQuarantineEntry } from '@/server/api/routers/quarantine';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { Time } from '@/components/ui/time';
import { KeySetup } from '@/components/inbox/key-setup';
import { loadKey, signWithBrowserKey, type StoredKey } from '@/components/inbox/browser-key';

export function ReleaseApprovals({ release }: { release: TQuarantineEntry['release'] }) {
  return (
    <div className="space-y-1 text-sm" data-testid="release-approvals">
      <p className="text-slate-300">
        Release needs {release.rule}. <span data-testid="release-progress">{release.detail}</span>
      </p>
      {release.counted.length > 0 ? (
        <ul className="space-y-1">
          {release.counted.map((c) => (
            <li key={c.keyid} className="text-slate-200" data-testid="release-approval">
              {c.username} signed <Time iso={c.time} />: {c.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function ReleaseControl({ entry, username }: { entry: TQuarantineEntry; username: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState<StoredKey | null>(null);
  const [reason, setReason] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formId = useId();
  useEffect(() => setKey(loadKey(window.localStorage, username)), [username]);
  const keys = useQuery({ ...trpc.quarantine.myKeys.queryOptions(), enabled: open });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.quarantine.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.quarantine.history.queryKey() });
  };
  const release = useMutation(trpc.quarantine.release.mutationOptions({ onSuccess: refresh }));

  async function sign() {
    if (!key) return;
    if (!reason.trim()) return setProblem('A reason is required; it is signed and recorded in the audit log.');
    setProblem(null);
    setBusy(true);
    try {
      const signed = await signWithBrowserKey(key, passphrase, { ...entry.release.statement, decision: 'release', reason: reason.trim(), time: new Date().toISOString() });
      release.mutate({ id: entry.id, signed });
      setPassphrase('');
    } catch (x) {
      setProblem((x as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <Button variant="secondary" className="w-full sm:w-auto" aria-expanded={false} aria-controls={formId} onClick={() => setOpen(true)} data-testid="release-quarantine">
        Sign release…
      </Button>
    );
  }
  if (keys.isPending) return <p className="text-sm text-slate-400">Checking your approval keys…</p>;
  if (!key || !keys.data?.includes(key.keyid)) {
    return (
      <KeySetup
        username={username}
        stale={key !== null}
        onCreated={(created) => {
          setKey(created);
          void keys.refetch();
        }}
      />
    );
  }
  return (
    <div id={formId} className="w-full space-y-2">
      <details className="text-xs text-slate-400">
        <summary className="cursor-pointer">What you sign</summary>
        <pre className="mt-2 overflow-x-auto whitespace-pre-wrap break-all">{JSON.stringify({ ...entry.release.statement, decision: 'release', reason: reason || '…', time: 'now' }, null, 2)}</pre>
      </details>
      <Input label={`Why is ${entry.moduleName} safe to run again?`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} autoFocus data-testid="release-reason" />
      <Input label="Passphrase of your approval key" type="password" autoComplete="current-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} data-testid="release-passphrase" />
      <div className="flex flex-col gap-2 sm:flex-row">
        <Button variant="primary" onClick={() => void sign()} pending={busy || release.isPending} data-testid="release-confirm">
          Sign release
        </Button>
        <Button variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
      {problem ? <ErrorState title="Not signed" message={problem} /> : null}
      {release.isError ? <ErrorState title="Not accepted" message={release.error.message} code={errorCode(release.error)} /> : null}
      {release.isSuccess ? (
        <p className="text-sm text-emerald-300" role="status" data-testid="release-result">
          {release.data.released ? 'Released: the quorum is met.' : `Your signature is recorded. ${release.data.detail}`}
        </p>
      ) : null}
    </div>
  );
}
