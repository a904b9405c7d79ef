/** The calls the sandbox refused during a run (capability denials), in plain words. */
import type { CapabilityDenial } from '@/server/core/sandbox/types';
import { explainDenials } from './denial-words';

export function CapabilityDenials({ denials }: { readonly denials: readonly CapabilityDenial[] }) {
  const { summary, lines } = explainDenials(denials);
  return (
    <div data-testid="capability-denials" data-count={lines.length}>
      <p className={lines.length === 0 ? 'text-sm text-slate-400' : 'text-sm text-amber-200'}>{summary}</p>
      {lines.length > 0 ? (
        <ul className="mt-3 flex flex-col divide-y divide-slate-800 rounded-md border border-slate-800">
          {lines.map((l) => (
            <li key={l.fn} className="flex flex-col gap-1 px-3 py-2" data-denied-fn={l.fn}>
              <p className="text-sm text-slate-200">{l.sentence}</p>
              {l.samples.length > 0 ? (
                <ul className="flex flex-col gap-0.5" aria-label={`first calls to ${l.fn}`}>
                  {l.samples.map((s, i) => (
                    <li key={i} className="break-all font-mono text-xs text-slate-400">{s}</li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
