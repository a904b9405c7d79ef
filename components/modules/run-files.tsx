'use client';
/** The Run form's files: reading picked files as base64, and offering a run's released outputs as downloads. */
import type { TRunOutputs } from '@/server/api/routers/run-io';

const MAX_INPUT_BYTES = 16 * 1024 * 1024;

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Picked files as the API takes them; a folder picker's relative paths are kept. */
export async function readInputFiles(files: readonly File[]): Promise<{ files: { path: string; data: string }[] } | { problem: string }> {
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > MAX_INPUT_BYTES) return { problem: `Input files may hold at most 16 MiB in all; these hold ${(total / 2 ** 20).toFixed(1)} MiB.` };
  const out = [];
  for (const f of files) {
    const path = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
    out.push({ path, data: toBase64(new Uint8Array(await f.arrayBuffer())) });
  }
  return { files: out };
}

function download(path: string, data: string): void {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = path.split('/').pop() || 'output';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function OutputFiles({ outputs }: { readonly outputs: TRunOutputs }) {
  return (
    <section aria-label="Files the module left" className="flex flex-col gap-2" data-testid="run-result-outputs">
      <h3 className="text-sm font-medium text-slate-200">Files the module left in <code>/</code> (released because the run was allowed)</h3>
      <ul className="flex flex-col gap-1 text-sm">
        {outputs.files.map((f) => (
          <li key={f.path} className="flex flex-wrap items-center gap-2">
            {f.data !== null ? (
              <button type="button" className="min-h-11 text-indigo-300 underline-offset-4 hover:underline" onClick={() => download(f.path, f.data!)} data-testid="run-output-download">
                {f.path}
              </button>
            ) : (
              <span className="text-slate-200">{f.path}</span>
            )}
            <span className="text-slate-400">{f.bytes.toLocaleString()} bytes, sha256 {f.sha256.slice(0, 12)}…</span>
          </li>
        ))}
      </ul>
      {outputs.bytesOmitted ? <p className="text-xs text-slate-400">Some files are too large to download here; run it with <code>nightcore run --save</code>.</p> : null}
    </section>
  );
}
