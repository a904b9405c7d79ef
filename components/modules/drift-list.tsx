/** How each version differs from the one before it: a digest change with no new version is what to look for. */
import type { TDrift } from '@/server/api/routers/module-views';
import { Badge } from '@/components/ui/badge';

function Changes({ label, added, removed }: { readonly label: string; readonly added: readonly string[]; readonly removed: readonly string[] }) {
  if (added.length === 0 && removed.length === 0) return <p className="text-sm text-slate-400">{label}: unchanged</p>;
  return (
    <div className="text-sm">
      <p className="text-slate-300">{label}:</p>
      <ul className="ml-4 flex flex-col gap-0.5 font-mono text-xs">
        {added.map((a) => (
          <li key={`+${a}`} className="break-all text-amber-300">+ {a}</li>
        ))}
        {removed.map((r) => (
          <li key={`-${r}`} className="break-all text-slate-400">− {r}</li>
        ))}
      </ul>
    </div>
  );
}

export function DriftList({ drift }: { readonly drift: readonly TDrift[] }) {
  if (drift.length === 0) return <p className="text-sm text-slate-400">Only one version is stored: nothing to compare yet.</p>;
  return (
    <ul className="flex flex-col divide-y divide-slate-800" data-testid="drift-list">
      {drift.map((d) => (
        <li key={`${d.from}-${d.to}`} className="flex flex-col gap-2 py-3" data-testid="drift-row">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-medium text-slate-100">
              {d.from} → {d.to}
            </span>
            <Badge tone={d.digestChanged ? 'info' : 'warn'}>{d.digestChanged ? 'code changed' : 'same code'}</Badge>
            <span className="text-sm text-slate-400">
              size {d.sizeDelta >= 0 ? '+' : ''}
              {d.sizeDelta.toLocaleString('en-US')} bytes
            </span>
          </div>
          <Changes label="Imports" added={d.importsAdded} removed={d.importsRemoved} />
          <Changes label="Exports" added={d.exportsAdded} removed={d.exportsRemoved} />
        </li>
      ))}
    </ul>
  );
}
