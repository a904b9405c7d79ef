'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/components/ui/cn';

/** Section links; the current one is marked for screen readers and styled. Wraps on phones, so no link is cut off. */
export function NavLinks({ items }: { items: readonly { href: string; label: string; badge?: number }[] }) {
  const path = usePathname();
  const current = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`));
  return (
    <ul className="flex flex-wrap gap-1 md:flex-col">
      {items.map((item) => (
        <li key={item.href} className="shrink-0">
          <Link
            href={item.href}
            aria-current={current(item.href) ? 'page' : undefined}
            className={cn(
              'flex min-h-11 items-center rounded-md px-3 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-400',
              current(item.href) ? 'bg-slate-800 text-slate-50' : 'text-slate-300 hover:bg-slate-900 hover:text-slate-50',
            )}
          >
            {item.label}
            {item.badge ? (
              <span className="ml-2 rounded-full bg-amber-500 px-2 text-xs font-semibold text-slate-950" data-testid="nav-badge" aria-label={`${item.badge} waiting`}>
                {item.badge > 99 ? '99+' : item.badge}
              </span>
            ) : null}
          </Link>
        </li>
      ))}
    </ul>
  );
}
