'use client';
/** Register a public key: paste its base64 or choose the .pub file `nightcore keygen` wrote. */
import { useId, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { ErrorState } from '@/components/ui/error-state';

const ROLES = ['publisher', 'approver', 'auditor', 'node'] as const;
const FIELD = 'min-h-11 w-full rounded-md border border-slate-700 bg-slate-950 px-3 text-base text-slate-100 focus:outline-2 focus:outline-offset-1 focus:outline-indigo-400';
/** A .pub file is one line of base64; anything much bigger is the wrong file. */
const MAX_PUB_FILE_BYTES = 1024;

export function AddKeyForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [publicKey, setPublicKey] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('publisher');
  const [fileProblem, setFileProblem] = useState<string>();
  const keyId = useId();
  const roleId = useId();
  const fileId = useId();
  // The file input is uncontrolled (browsers allow no other way): cleared by hand after success.
  const fileInput = useRef<HTMLInputElement>(null);
  const add = useMutation(
    trpc.keys.add.mutationOptions({
      onSuccess: () => {
        setPublicKey('');
        setName('');
        if (fileInput.current) fileInput.current.value = '';
        void queryClient.invalidateQueries({ queryKey: trpc.keys.list.pathKey() });
      },
    }),
  );

  async function chooseFile(e: ChangeEvent<HTMLInputElement>) {
    setFileProblem(undefined);
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_PUB_FILE_BYTES) {
      setFileProblem(`${file.name} is ${file.size} bytes; a .pub file is one line of base64. Did you pick the private .key file?`);
      return;
    }
    setPublicKey((await file.text()).trim());
    if (!name) setName(file.name.replace(/\.(pub|b64)$/, ''));
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    add.mutate({ publicKey: publicKey.trim(), role, name: name.trim() });
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Add a trusted key" data-testid="add-key-form">
      <div className="flex flex-col gap-1.5">
        <label htmlFor={keyId} className="text-sm font-medium text-slate-200">
          Public key (base64)
        </label>
        <textarea
          id={keyId}
          required
          rows={2}
          maxLength={1024}
          value={publicKey}
          onChange={(e) => setPublicKey(e.target.value)}
          spellCheck={false}
          className={`${FIELD} py-2 font-mono text-sm`}
          data-testid="key-public"
        />
      </div>
      <div className="flex flex-col gap-1.5">
        <label htmlFor={fileId} className="text-sm font-medium text-slate-200">
          …or choose a .pub file
        </label>
        <input ref={fileInput} id={fileId} type="file" accept=".pub,.b64,text/plain" onChange={chooseFile} className="min-h-11 text-sm text-slate-300 file:mr-3 file:min-h-11 file:rounded-md file:border-0 file:bg-slate-800 file:px-4 file:text-slate-100" data-testid="key-file" />
        {fileProblem ? <p className="text-sm text-rose-400" role="alert">{fileProblem}</p> : null}
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Input label="Name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} hint="who or what signs with it, e.g. CI publisher" data-testid="key-name" />
        <div className="flex flex-col gap-1.5">
          <label htmlFor={roleId} className="text-sm font-medium text-slate-200">
            Role
          </label>
          <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])} className={FIELD} data-testid="key-role">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
      </div>
      {add.isError ? <ErrorState title="The key was not added" message={add.error.message} code={errorCode(add.error)} /> : null}
      {add.isSuccess ? (
        <p role="status" className="text-sm text-emerald-300">
          Trusted {add.data.name} ({add.data.role}), key id <span className="break-all font-mono">{add.data.keyid}</span>.
        </p>
      ) : null}
      <div>
        <Button type="submit" pending={add.isPending} data-testid="add-key-submit">
          Add key
        </Button>
      </div>
    </form>
  );
}
