import { pageAccess } from '@/server/api/server-caller';
import { ZWindowSchema, type TWindow } from '@/server/api/routers/watchtower';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { WatchtowerDashboard } from '@/components/watchtower/dashboard';
import { WindowSwitcher } from '@/components/watchtower/window-switcher';

export const metadata = { title: 'Watchtower' };
export const dynamic = 'force-dynamic';

/** The console home. The first summary comes through the same tRPC procedure (same permission check) for first paint. */
export default async function WatchtowerPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user, allows, api } = await pageAccess('/');
  const requested = ZWindowSchema.safeParse((await searchParams).window);
  const window: TWindow = requested.success ? requested.data : '24h';
  return (
    <div className="space-y-4">
      <PageHeader
        title="Watchtower"
        description="What ran, what Guardian denied and why, and whether the audit log is intact."
        actions={<WindowSwitcher current={window} />}
      />
      {allows('runs.read') ? (
        <WatchtowerDashboard initial={await api.watchtower.summary({ window })} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot read runs, which the Watchtower needs. Ask an admin.`} />
      )}
    </div>
  );
}
