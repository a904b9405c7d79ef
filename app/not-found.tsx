import Link from 'next/link';

export const metadata = { title: 'Not found' };

/**
 * The 404 for every unknown path: styled like the console, with a way back. It shows no section
 * list from the session (it renders outside the console layout), only links any user may follow;
 * each page checks access again.
 */
export default function NotFound() {
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-xl flex-col justify-center gap-4 p-6">
      <p className="font-mono text-sm text-slate-300">404</p>
      <h1 className="text-2xl font-semibold text-slate-50" data-testid="page-title">
        This page does not exist
      </h1>
      <p className="text-slate-300">The link may be old or mistyped. Nothing was changed.</p>
      <nav aria-label="Where to go">
        <ul className="flex flex-wrap gap-2">
          {[
            { href: '/', label: 'Watchtower' },
            { href: '/runs', label: 'Runs' },
            { href: '/modules', label: 'Modules' },
            { href: '/quarantine', label: 'Quarantine' },
          ].map((l) => (
            <li key={l.href}>
              <Link href={l.href} className="inline-flex min-h-11 items-center rounded-md border border-slate-700 px-4 text-sm text-slate-100 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-400">
                {l.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </main>
  );
}
