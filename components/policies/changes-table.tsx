/** A classified policy diff: each changed field, from → to, and whether it tightens or weakens. */
import type { TPolicyChange } from '@/server/api/routers/policies';
import { Badge, type BadgeTone } from '@/components/ui/badge';

const TONE: Record<TPolicyChange['effect'], BadgeTone> = { tighter: 'good', weaker: 'bad', neutral: 'neutral' };
const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));

export function ChangesTable({ changes, testId }: { readonly changes: readonly TPolicyChange[]; readonly testId?: string }) {
  if (changes.length === 0) return <p className="text-sm text-slate-500">No field changed.</p>;
  return (
    <ul className="divide-y divide-slate-800 rounded-md border border-slate-800 text-sm" data-testid={testId}>
      {changes.map((c) => (
        <li key={c.path} className="flex flex-col gap-1 px-3 py-2 sm:flex-row sm:items-start sm:gap-3" data-path={c.path} data-effect={c.effect}>
          <Badge tone={TONE[c.effect]}>{c.effect}</Badge>
          <span className="font-mono text-xs text-slate-300">{c.path}</span>
          <span className="min-w-0 break-all font-mono text-xs text-slate-400">
            {show(c.from)} → {show(c.to)}
          </span>
          <span className="text-xs text-slate-500">{c.why}</span>
        </li>
      ))}
    </ul>
  );
}
