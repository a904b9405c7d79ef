'use client';
/** Release one quarantined version: opens an inline reason field; the reason is required and audited. */
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';

export function ReleaseControl({ wasmSha256, moduleName }: { wasmSha256: string; moduleName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const formId = useId();
  const release = useMutation(
    trpc.quarantine.release.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.quarantine.list.queryKey() }),
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!reason.trim()) return setMissing(true);
    setMissing(false);
    release.mutate({ wasmSha256, reason });
  }

  if (!open) {
    return (
      <Button variant="secondary" className="w-full sm:w-auto" aria-expanded={false} aria-controls={formId} onClick={() => setOpen(true)} data-testid="release-quarantine">
        Release…
      </Button>
    );
  }
  return (
    <form id={formId} onSubmit={submit} className="w-full space-y-2" noValidate>
      <Input
        label={`Why is ${moduleName} safe to run again?`}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        maxLength={500}
        autoFocus
        error={missing ? 'A reason is required; it is recorded in the audit log.' : undefined}
        data-testid="release-reason"
      />
      <div className="flex flex-col gap-2 sm:flex-row">
        <Button type="submit" variant="primary" pending={release.isPending} data-testid="release-confirm">
          Release from quarantine
        </Button>
        <Button variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
      {release.isError ? <ErrorState title="Not released" message={release.error.message} code={errorCode(release.error)} /> : null}
    </form>
  );
}
