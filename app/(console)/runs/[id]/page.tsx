import { requirePageUser } from '@/server/auth/session';
import { can } from '@/server/core/access/rbac';
import { RunDetail } from '@/components/runs/run-detail';
import { ErrorState } from '@/components/ui/error-state';

export const metadata = { title: 'Run' };

/** One run's decision trace (runs.read); replay for runs.execute holders (the API checks both again). */
export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageUser(`/runs/${encodeURIComponent(id)}`);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold" data-testid="page-title">
        Run
      </h1>
      {can(user.role, 'runs.read') ? (
        <RunDetail id={id} canReplay={can(user.role, 'runs.execute')} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot see runs.`} />
      )}
    </div>
  );
}
