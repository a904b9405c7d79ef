'use client';
/** Propose going back to an old revision: always a proposal, whatever it changes. */
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';

export function RestoreButton({ revision }: { readonly revision: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [reason, setReason] = useState('');
  const restore = useMutation(trpc.policies.restore.mutationOptions({ onSuccess: (r) => r.proposal && router.push(`/policies/proposals/${r.proposal}`) }));
  return (
    <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
      <input
        className="rounded-md border border-slate-700 bg-slate-950 px-2 py-1 text-xs text-slate-200"
        placeholder="why restore"
        aria-label={`Why restore revision ${revision}`}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        maxLength={2000}
      />
      <Button variant="secondary" onClick={() => restore.mutate({ revision, reason })} pending={restore.isPending} data-testid={`restore-${revision}`}>
        Propose restoring r{revision}
      </Button>
      {restore.isError ? <ErrorState title="Not proposed" message={restore.error.message} code={errorCode(restore.error)} /> : null}
    </div>
  );
}
