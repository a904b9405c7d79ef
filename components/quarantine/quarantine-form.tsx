'use client';
/** Quarantine a module version by name@version or by wasm digest, with a reason (audited). */
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';

const DIGEST = /^[0-9a-f]{64}$/;

export function QuarantineForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const add = useMutation(
    trpc.quarantine.add.mutationOptions({
      onSuccess: (r) => {
        setDone(r.alreadyQuarantined ? `${r.entry.moduleName} was already in quarantine.` : `${r.entry.moduleName} is now in quarantine.`);
        setTarget('');
        setReason('');
        void queryClient.invalidateQueries({ queryKey: trpc.quarantine.list.queryKey() });
      },
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    setDone(undefined);
    const t = target.trim();
    const at = t.lastIndexOf('@');
    if (!reason.trim()) return setProblem('Say why: the reason is recorded in the audit log and shown to on-call.');
    if (DIGEST.test(t)) {
      setProblem(undefined);
      return add.mutate({ wasmSha256: t, reason });
    }
    if (at > 0 && at < t.length - 1) {
      setProblem(undefined);
      return add.mutate({ moduleName: t.slice(0, at), version: t.slice(at + 1), reason });
    }
    setProblem('Enter name@version (for example hello@1.0.0) or the 64-character wasm digest.');
  }

  return (
    <Card title="Quarantine a module" description="A quarantined version is denied before it runs until an approver releases it.">
      <form onSubmit={submit} className="space-y-3" noValidate>
        <Input label="Module" placeholder="name@version or wasm digest" value={target} onChange={(e) => setTarget(e.target.value)} autoComplete="off" spellCheck={false} data-testid="quarantine-target" />
        <Input label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} data-testid="quarantine-reason" error={problem} />
        <Button type="submit" variant="danger" pending={add.isPending} className="w-full sm:w-auto" data-testid="quarantine-module">
          Quarantine
        </Button>
        {add.isError ? <ErrorState title="Not quarantined" message={add.error.message} code={errorCode(add.error)} /> : null}
        {done ? (
          <p role="status" className="text-sm text-emerald-300">
            {done}
          </p>
        ) : null}
      </form>
    </Card>
  );
}
