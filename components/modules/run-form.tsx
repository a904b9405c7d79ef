'use client';
/** Run a module through the full governed path (runs.execute): arguments, stdin, seed → decision and output. */
import { useState, type FormEvent } from 'react';
import Link from 'next/link';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { ErrorState } from '@/components/ui/error-state';
import { Input } from '@/components/ui/input';
import { DecisionBadge, OutcomeBadge } from '@/components/runs/badges';
import { OutputBlock } from '@/components/runs/output-block';
import { VerdictRules } from '@/components/runs/verdict-rules';
import { OutputFiles, readInputFiles } from './run-files';

const areaClass = 'min-h-24 w-full rounded-md border border-slate-700 bg-slate-950 px-3 py-2 font-mono text-sm text-slate-100 focus:outline-2 focus:outline-indigo-400';
const selectClass = 'min-h-11 w-full rounded-md border border-slate-700 bg-slate-950 px-3 text-base text-slate-100 focus:outline-2 focus:outline-indigo-400';

export function RunForm({ name, versions }: { readonly name: string; readonly versions: readonly string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [seedError, setSeedError] = useState<string | undefined>();
  // Set when Run was pressed offline: that press was dropped, never queued for later.
  const [offlineRefused, setOfflineRefused] = useState(false);
  const run = useMutation(
    trpc.modules.run.mutationOptions({
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.modules.get.queryKey({ name }) });
        void queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey() });
      },
    }),
  );

  const [filesError, setFilesError] = useState<string | undefined>();
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!navigator.onLine) {
      setOfflineRefused(true);
      run.reset();
      return;
    }
    setOfflineRefused(false);
    const f = new FormData(e.currentTarget);
    const seed = String(f.get('seed') ?? '').trim();
    if (seed && !/^\d{1,20}$/.test(seed)) {
      setSeedError('A seed is a whole number from 0 to 18446744073709551615, or empty for a fresh one.');
      return;
    }
    setSeedError(undefined);
    const argsText = String(f.get('args') ?? '');
    const stdin = String(f.get('stdin') ?? '');
    const version = String(f.get('version') ?? '');
    const binary = f.get('binary') === 'on';
    const picked = (e.currentTarget.elements.namedItem('files') as HTMLInputElement | null)?.files;
    const files = await readInputFiles(picked ? [...picked] : []);
    if ('problem' in files) {
      setFilesError(files.problem);
      return;
    }
    setFilesError(undefined);
    const callExport = String(f.get('callExport') ?? '').trim();
    const callArgs = String(f.get('callArgs') ?? '');
    run.mutate({
      name,
      version: version || undefined,
      args: argsText === '' ? [] : argsText.replace(/\r\n/g, '\n').split('\n'),
      // Pasted base64 often wraps lines; whitespace is never part of it.
      stdin: stdin === '' ? undefined : binary ? { encoding: 'base64', data: stdin.replace(/\s+/g, '') } : { encoding: 'text', data: stdin },
      seed: seed || undefined,
      files: files.files,
      call: callExport ? { export: callExport, args: callArgs.trim() === '' ? [] : callArgs.replace(/\r\n/g, '\n').split('\n') } : undefined,
    });
  };

  const result = run.data;
  return (
    <div className="flex flex-col gap-4">
      <form onSubmit={submit} className="grid gap-4 md:grid-cols-2" aria-label={`Run ${name}`} data-testid="run-form">
        <div className="flex flex-col gap-1.5">
          <label htmlFor="run-version" className="text-sm font-medium text-slate-200">Version</label>
          <select id="run-version" name="version" className={selectClass} defaultValue="" data-testid="run-version">
            <option value="">latest ({versions[0]})</option>
            {versions.map((v) => (
              <option key={v} value={v}>{v}</option>
            ))}
          </select>
        </div>
        <Input label="Seed (optional)" name="seed" inputMode="numeric" autoComplete="off" hint="Fixes the random source so the run can be replayed exactly; empty draws a fresh one." error={seedError} data-testid="run-seed" />
        <div className="flex flex-col gap-1.5">
          <label htmlFor="run-args" className="text-sm font-medium text-slate-200">Arguments (one per line)</label>
          <textarea id="run-args" name="args" className={areaClass} spellCheck={false} data-testid="run-args" />
        </div>
        <div className="flex flex-col gap-1.5">
          <label htmlFor="run-stdin" className="text-sm font-medium text-slate-200">Standard input</label>
          <textarea id="run-stdin" name="stdin" className={areaClass} spellCheck={false} data-testid="run-stdin" />
          <label className="flex min-h-11 items-center gap-2 text-sm text-slate-300">
            <input type="checkbox" name="binary" className="size-5 accent-indigo-500" /> Input is base64 (binary data)
          </label>
        </div>
        <div className="flex flex-col gap-1.5">
          <label htmlFor="run-files" className="text-sm font-medium text-slate-200">Input files (preopened as the module's <code>/</code>)</label>
          <input id="run-files" name="files" type="file" multiple className="min-h-11 text-sm text-slate-200" data-testid="run-files" aria-describedby="run-files-hint" />
          <p id="run-files-hint" className="text-xs text-slate-400">The module reads them with the <code>fs.read</code> capability and may change its own copy with <code>fs.write</code>; your files are never touched. What it leaves there is offered for download only if Guardian allows the run.</p>
          {filesError ? <p role="alert" className="text-sm text-rose-300">{filesError}</p> : null}
        </div>
        <div className="flex flex-col gap-1.5">
          <Input label="Call an export instead of the entry (optional)" name="callExport" autoComplete="off" hint="A reactor's function, e.g. add; _initialize runs first when the module has it." data-testid="run-call-export" />
          <label htmlFor="run-call-args" className="text-sm font-medium text-slate-200">Its arguments (one per line, typed by its signature)</label>
          <textarea id="run-call-args" name="callArgs" className={areaClass} spellCheck={false} data-testid="run-call-args" />
        </div>
        <div className="md:col-span-2">
          <Button type="submit" pending={run.isPending} data-testid="run-module">Run under Guardian</Button>
        </div>
      </form>
      {offlineRefused ? (
        <ErrorState
          title="You are offline: the run was not sent"
          message="Nothing was run and nothing is waiting to run later. Press Run again when you are back online."
          code="OFFLINE"
        />
      ) : null}
      {run.isError ? (
        <ErrorState
          title={errorCode(run.error) === 'BUSY' ? 'The sandbox is busy' : 'The run did not start'}
          message={run.error.message}
          code={errorCode(run.error)}
        />
      ) : null}
      {result ? (
        <div role="status" className="flex flex-col gap-3 rounded-lg border border-slate-800 p-4" data-testid="run-result" data-decision={result.record.decision}>
          <div className="flex flex-wrap items-center gap-2">
            <DecisionBadge decision={result.record.decision} />
            <OutcomeBadge outcome={result.record.execution?.outcome.kind ?? 'denied'} />
            <Link href={`/runs/${encodeURIComponent(result.record.runId)}`} className="inline-flex min-h-11 items-center text-indigo-300 underline-offset-4 hover:underline" data-testid="run-result-link">
              Open the full decision record
            </Link>
          </div>
          {/* Every rule's explanation inline: pre-exec, and post-exec when it ran. */}
          <VerdictRules verdict={result.record.pre} testId="run-result-pre" />
          {result.record.post ? <VerdictRules verdict={result.record.post} testId="run-result-post" /> : null}
          {result.record.quarantine ? (
            <p className="text-sm text-rose-300">This run put the module in quarantine: {result.record.quarantine.reason}</p>
          ) : null}
          {result.record.execution?.returnValues ? (
            <p className="text-sm text-slate-200" data-testid="run-result-returned">
              Returned: <code>{result.record.execution.returnValues.map((v) => `${v.type} ${v.value}`).join(', ') || 'nothing'}</code>
            </p>
          ) : null}
          {result.outputs ? <OutputFiles outputs={result.outputs} /> : null}
          {result.record.execution ? (
            <div className="grid gap-4 lg:grid-cols-2">
              <OutputBlock label="stdout" output={result.stdout} testId="run-result-stdout" />
              <OutputBlock label="stderr" output={result.stderr} testId="run-result-stderr" />
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
