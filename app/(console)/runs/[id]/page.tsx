import { pageAccess } from '@/server/api/server-caller';
import { RunDetail } from '@/components/runs/run-detail';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'Run' };

/** One run's decision trace (runs.read); replay for runs.execute holders (the API checks both again). */
export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { user, allows } = await pageAccess(`/runs/${encodeURIComponent(id)}`);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Run" description="One decision, step by step: verification, Guardian before and after, the budget and the output." />
      {allows('runs.read') ? (
        <RunDetail id={id} canReplay={allows('runs.execute')} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot see runs.`} />
      )}
    </div>
  );
}
