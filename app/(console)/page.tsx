import { requirePageUser } from '@/server/auth/session';
import { can } from '@/server/core/access/rbac';
import { getServices } from '@/server/services/instance';
import { watchtowerOf, WINDOWS, type Window } from '@/server/services/watchtower';
import { ErrorState } from '@/components/ui/error-state';
import { WatchtowerDashboard } from '@/components/watchtower/dashboard';
import { WindowSwitcher } from '@/components/watchtower/window-switcher';

export const metadata = { title: 'Watchtower' };
export const dynamic = 'force-dynamic';

const isWindow = (v: unknown): v is Window => typeof v === 'string' && (WINDOWS as readonly string[]).includes(v);

/** The console home. The summary is computed here for first paint (indexed SQL, a few ms). */
export default async function WatchtowerPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser('/');
  const requested = (await searchParams).window;
  const window: Window = isWindow(requested) ? requested : '24h';
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold text-slate-50" data-testid="page-title">
            Watchtower
          </h1>
          <p className="mt-1 text-sm text-slate-400">What ran, what Guardian denied and why, and whether the audit log is intact.</p>
        </div>
        <WindowSwitcher current={window} />
      </div>
      {can(user.role, 'runs.read') ? (
        <WatchtowerDashboard initial={watchtowerOf(getServices()).summary({ window })} />
      ) : (
        <ErrorState title="Not available for your role" message="The Watchtower needs permission to read runs. Ask an admin." />
      )}
    </div>
  );
}
