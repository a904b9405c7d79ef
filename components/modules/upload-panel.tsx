'use client';
/**
 * Upload: drop or pick the module files (a bundle or a legacy tenant folder) or ONE .zip/.tar.
 * Sent as multipart to /api/modules/upload, which verifies with the same code as the CLI; every
 * issue the verifier reports is listed.
 */
import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { cn } from '@/components/ui/cn';

/** What the endpoint answers: the module, or the route handlers' one error shape. */
type Answer =
  | { ok: true; module: { name: string; version: string; source: string } }
  | { ok: false; error: { code: string; message: string; issues: string[] } };
type Outcome = { ok: true; module: { name: string; version: string; source: string } } | { ok: false; code: string; message: string; issues: string[] };

const outcomeOf = (answer: Answer): Outcome => (answer.ok ? answer : { ok: false, ...answer.error });

const EXPECTED = 'module.wasm + nightcore.json + nightcore.sig.json, or module.wasm + module.sig + pubkey.b64 + module.sha256 (+ manifest.json), or one .zip / .tar of such a folder';

export function UploadPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [dragging, setDragging] = useState(false);
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const choose = (list: FileList | null) => {
    setFiles(list ? Array.from(list) : []);
    setOutcome(null);
  };
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    choose(e.dataTransfer.files);
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (files.length === 0) return;
    const body = new FormData();
    for (const f of files) body.append('files', f, f.name);
    const folder = String(new FormData(e.currentTarget).get('folder') ?? '').trim();
    if (folder) body.append('folder', folder);
    setPending(true);
    try {
      // The custom header is the CSRF guard: a cross-site form cannot send it without a preflight.
      const res = await fetch('/api/modules/upload', { method: 'POST', body, headers: { 'x-nightcore-upload': '1' } });
      const json = (await res.json().catch(() => null)) as Answer | null;
      setOutcome(json ? outcomeOf(json) : { ok: false, code: `HTTP_${res.status}`, message: `The server answered ${res.status} without details.`, issues: [] });
      if (json?.ok) {
        setFiles([]);
        if (input.current) input.current.value = '';
        await queryClient.invalidateQueries({ queryKey: trpc.modules.list.queryKey() });
      }
    } catch {
      setOutcome({ ok: false, code: 'NETWORK', message: 'The upload did not reach the server. Check your connection and try again.', issues: [] });
    } finally {
      setPending(false);
    }
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Upload a module" data-testid="upload-form">
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={cn('rounded-lg border-2 border-dashed px-4 py-6 text-center', dragging ? 'border-indigo-400 bg-indigo-950/40' : 'border-slate-700')}
        data-testid="upload-dropzone"
      >
        <p className="text-sm text-slate-200">Drop the module files or one archive here, or</p>
        <label htmlFor="upload-files" className="mt-2 inline-flex min-h-11 cursor-pointer items-center rounded-md border border-slate-700 bg-slate-900 px-4 text-sm font-medium text-slate-100 hover:bg-slate-800 focus-within:outline-2 focus-within:outline-indigo-400">
          Choose files
          <input id="upload-files" ref={input} type="file" multiple className="sr-only" onChange={(e) => choose(e.target.files)} data-testid="upload-input" />
        </label>
        <p className="mt-2 text-xs text-slate-400">{EXPECTED}</p>
      </div>
      {files.length > 0 ? (
        <ul className="text-sm text-slate-300" aria-label="Selected files" data-testid="upload-selected">
          {files.map((f) => (
            <li key={`${f.name}-${f.size}`} className="break-all">
              {f.name} <span className="text-slate-500">({f.size.toLocaleString('en-US')} bytes)</span>
            </li>
          ))}
        </ul>
      ) : null}
      <Input label="Folder name (optional)" name="folder" hint="Only for a legacy tenant folder whose manifest.json has no name: the module is named after its folder." autoComplete="off" maxLength={64} />
      <div>
        <Button type="submit" pending={pending} disabled={files.length === 0} data-testid="upload-submit">
          Verify and import
        </Button>
      </div>
      <div aria-live="polite">
        {outcome?.ok ? (
          <p role="status" className="rounded-md border border-emerald-800 bg-emerald-950/60 px-4 py-3 text-sm text-emerald-200" data-testid="upload-success">
            Imported {outcome.module.name}@{outcome.module.version} ({outcome.module.source}).{' '}
            <Link href={`/modules/${encodeURIComponent(outcome.module.name)}`} className="underline">
              Open it
            </Link>
          </p>
        ) : outcome ? (
          <div data-testid="upload-error">
            <ErrorState
              title="The module was not imported"
              message={outcome.message}
              // Issues go in the action slot: the message slot is a <p>, which cannot hold a list.
              action={
                outcome.issues.length > 0 ? (
                  <ul className="list-disc pl-5" data-testid="upload-issues">
                    {outcome.issues.map((issue, i) => (
                      <li key={i}>{issue}</li>
                    ))}
                  </ul>
                ) : undefined
              }
              code={outcome.code}
            />
          </div>
        ) : null}
      </div>
    </form>
  );
}
