/** Module output shown as text in a <pre>, never as HTML; says when it is empty or cut for display. */
import type { TOutputText } from '@/server/api/routers/run-views';

export function OutputBlock({ label, output, testId }: { readonly label: string; readonly output: TOutputText; readonly testId: string }) {
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 flex flex-wrap items-baseline gap-2 text-sm">
        <span className="font-medium text-slate-200">{label}</span>
        <span className="text-xs text-slate-400">
          {output.bytes.toLocaleString('en-US')} bytes{output.truncated ? ' · showing the first 64 KiB' : ''}
        </span>
      </figcaption>
      {output.bytes === 0 ? (
        <p className="rounded-md border border-dashed border-slate-700 px-3 py-2 text-sm text-slate-500">(empty)</p>
      ) : (
        <pre data-testid={testId} className="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded-md border border-slate-800 bg-slate-950 p-3 font-mono text-xs text-slate-100">
          {output.text}
        </pre>
      )}
    </figure>
  );
}
