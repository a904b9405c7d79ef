/**
 * 24h / 7d / 30d as plain links: works before hydration and keeps the window in the URL. The
 * accessible name is the visible text (WCAG 2.5.3); the long form is a hover title.
 */
import Link from 'next/link';
import { cn } from '@/components/ui/cn';
import type { TWindow as Window } from '@/server/api/routers/watchtower';

const LABELS: Record<Window, string> = { '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' };

export function WindowSwitcher({ current }: { current: Window }) {
  return (
    <nav aria-label="Time window" className="inline-flex rounded-md border border-slate-700 p-0.5" data-testid="window-switcher">
      {(Object.keys(LABELS) as Window[]).map((w) => (
        <Link
          key={w}
          href={w === '24h' ? '/' : `/?window=${w}`}
          aria-current={w === current ? 'page' : undefined}
          title={LABELS[w]}
          data-testid={`window-${w}`}
          className={cn(
            'inline-flex min-h-11 min-w-14 items-center justify-center rounded px-3 text-sm focus-visible:outline-2 focus-visible:outline-indigo-400',
            w === current ? 'bg-slate-700 font-medium text-slate-50' : 'text-slate-300 hover:bg-slate-800',
          )}
        >
          {w}
        </Link>
      ))}
    </nav>
  );
}
