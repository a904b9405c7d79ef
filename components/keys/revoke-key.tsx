'use client';
/** Revoke with a reason, optionally back-dated to when a compromise began; asks for confirmation. */
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { ErrorState } from '@/components/ui/error-state';

export function RevokeKey({ keyid, name }: { readonly keyid: string; readonly name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [since, setSince] = useState('');
  const revoke = useMutation(
    trpc.keys.revoke.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.keys.list.pathKey() }) }),
  );

  if (!open) {
    return (
      <Button variant="secondary" onClick={() => setOpen(true)} data-testid="revoke-key">
        Revoke…
      </Button>
    );
  }

  // datetime-local has no zone: it is the browser's local time, converted to ISO (UTC) here.
  const at = since ? new Date(since) : undefined;
  const badTime = at !== undefined && (Number.isNaN(at.getTime()) || at.getTime() > Date.now());

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!confirming) {
      setConfirming(true);
      return;
    }
    revoke.mutate({ keyid, reason: reason.trim(), ...(at ? { at: at.toISOString() } : {}) });
  }

  return (
    <form onSubmit={submit} className="mt-3 flex flex-col gap-3 rounded-md border border-rose-900 bg-rose-950/30 p-3" aria-label={`Revoke ${name}`}>
      <Input label="Reason" required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="revoke-reason" />
      <Input
        label="Compromised since (optional)"
        type="datetime-local"
        value={since}
        onChange={(e) => setSince(e.target.value)}
        hint="Your local time. Modules first seen after this moment stop verifying; leave empty for now."
        error={badTime ? 'Pick a moment in the past.' : undefined}
        data-testid="revoke-since"
      />
      {confirming && !revoke.isError ? (
        <p role="alert" className="text-sm text-rose-200">
          Revoke “{name}”? Modules signed only with this key will stop verifying. This cannot be undone.
        </p>
      ) : null}
      {revoke.isError ? <ErrorState title="The key was not revoked" message={revoke.error.message} code={errorCode(revoke.error)} /> : null}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="danger" pending={revoke.isPending} disabled={reason.trim() === '' || badTime} data-testid={confirming ? 'revoke-confirm' : 'revoke-submit'}>
          {confirming ? 'Yes, revoke' : 'Revoke'}
        </Button>
        <Button
          variant="ghost"
          onClick={() => {
            setOpen(false);
            setConfirming(false);
            revoke.reset();
          }}
        >
          Cancel
        </Button>
      </div>
    </form>
  );
}
