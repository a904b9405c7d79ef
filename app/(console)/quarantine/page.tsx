import { requirePageUser } from '@/server/auth/session';
import { can } from '@/server/core/access/rbac';
import { createCaller } from '@/server/api/root';
import { getServices } from '@/server/services/instance';
import { ErrorState } from '@/components/ui/error-state';
import { QuarantineBoard } from '@/components/quarantine/quarantine-board';

export const metadata = { title: 'Quarantine' };

/** The on-call page. The first list comes through the same tRPC procedure (same permission check). */
export default async function QuarantinePage() {
  const user = await requirePageUser('/quarantine');
  const allowed = can(user.role, 'quarantine.read');
  const initial = allowed ? await createCaller({ user, services: getServices() }).quarantine.list() : [];
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div>
        <h1 className="text-2xl font-semibold text-slate-50" data-testid="page-title">
          Quarantine
        </h1>
        <p className="mt-1 text-sm text-slate-400">Module versions Guardian refuses to run until someone releases them, with why and since when.</p>
      </div>
      {allowed ? (
        <QuarantineBoard initial={initial} canAdd={can(user.role, 'quarantine.add')} canRelease={can(user.role, 'quarantine.release')} />
      ) : (
        <ErrorState title="Not available for your role" message="Reading the quarantine needs the quarantine.read permission. Ask an admin." />
      )}
    </div>
  );
}
