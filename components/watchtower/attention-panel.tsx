/** The top of Watchtower: what needs someone now, each with a link to act on it; or a clear all-clear. */
import Link from 'next/link';
import type { TWatchtowerSummary } from '@/server/api/routers/watchtower';
import { cn } from '@/components/ui/cn';
import { attentionItems } from './attention';

export function AttentionPanel({ summary }: { summary: TWatchtowerSummary }) {
  const items = attentionItems(summary);
  if (items.length === 0) {
    return (
      <p className="rounded-lg border border-emerald-800 bg-emerald-950 px-4 py-3 text-sm text-emerald-200" data-testid="attention-clear">
        Nothing needs attention: nothing is in quarantine and the audit chain was verified intact.
      </p>
    );
  }
  return (
    <section aria-labelledby="attention-title" className="rounded-lg border border-amber-800 bg-slate-900/70 p-4" data-testid="attention">
      <h2 id="attention-title" className="text-base font-semibold text-slate-50">
        Needs attention
      </h2>
      <ul className="mt-2 space-y-1">
        {items.map((item) => (
          <li key={item.id} className="flex flex-wrap items-center justify-between gap-x-3 text-sm" data-testid={`attention-${item.id}`}>
            <span className={cn('font-medium', item.tone === 'bad' ? 'text-rose-200' : 'text-amber-200')}>{item.text}</span>
            <Link href={item.href} className="inline-flex min-h-11 items-center text-indigo-300 underline underline-offset-4 hover:text-indigo-200">
              {item.action}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
