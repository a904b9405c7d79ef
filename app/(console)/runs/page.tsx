import { pageAccess } from '@/server/api/server-caller';
import { RunsView } from '@/components/runs/runs-view';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'Runs' };

/** Every governed run, newest first (runs.read; the API checks again). `?module=` pre-fills the filter. */
export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user, allows } = await pageAccess('/runs');
  const module = (await searchParams).module;
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Runs" description="Every governed run with Guardian's decision, whether it was allowed or not." />
      {allows('runs.read') ? (
        <RunsView initialModule={typeof module === 'string' ? module.slice(0, 64) : undefined} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot see runs. Ask an admin if you need access.`} />
      )}
    </div>
  );
}
