import type { ReactNode } from 'react';
import Link from 'next/link';
import { pageAccess } from '@/server/api/server-caller';
import { signOutAction } from '@/server/auth/actions';
import { NAV } from '@/components/shell/nav';
import { NavLinks } from '@/components/shell/nav-links';
import { OfflineBanner } from '@/components/shell/offline-banner';
import { toggleThemeAction } from '@/components/shell/actions';
import { Badge } from '@/components/ui/badge';

/** The signed-in console: every page below requires a session (checked here, on the server). */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { user, allows, api } = await pageAccess('/');
  // Those who decide see how many submissions wait for them beside Inbox.
  const pending = allows('inbox.decide') ? await api.inbox.pendingCount() : 0;
  const items = NAV.filter((item) => allows(item.permission)).map((item) => (item.href === '/inbox' && pending > 0 ? { ...item, badge: pending } : item));
  return (
    <div className="md:flex">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-indigo-600 focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="border-b border-slate-800 bg-slate-950 md:sticky md:top-0 md:h-screen md:w-56 md:shrink-0 md:border-b-0 md:border-r">
        <div className="flex items-center justify-between gap-2 px-3 pt-3 md:block">
          <Link href="/" className="text-lg font-semibold tracking-tight">
            Night Core
          </Link>
          <div className="flex items-center gap-2 md:mt-3">
            <span className="truncate text-sm text-slate-300" data-testid="current-user">
              {user.username}
            </span>
            <Badge>{user.role}</Badge>
          </div>
        </div>
        <nav aria-label="Sections" className="px-2 py-2">
          <NavLinks items={items} />
        </nav>
        <div className="flex gap-2 px-3 pb-3">
          <form action={toggleThemeAction}>
            <button type="submit" className="min-h-11 rounded-md px-3 text-sm text-slate-300 hover:bg-slate-900">
              Theme
            </button>
          </form>
          <form action={signOutAction}>
            <button type="submit" className="min-h-11 rounded-md px-3 text-sm text-slate-300 hover:bg-slate-900">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <main id="main" className="min-w-0 flex-1 p-4 md:p-6">
        <OfflineBanner />
        {children}
      </main>
    </div>
  );
}
