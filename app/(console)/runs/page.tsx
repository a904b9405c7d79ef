import { pageAccess } from '@/server/api/server-caller';
import { RunsView } from '@/components/runs/runs-view';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'Runs' };

/** Every governed run, newest first (runs.read; the API checks again). The filters are the URL's (?module=&rule=&since=...). */
export default async function RunsPage() {
  const { user, allows } = await pageAccess('/runs');
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Runs" description="Every governed run with Guardian's decision, whether it was allowed or not." />
      {allows('runs.read') ? (
        <RunsView />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot see runs. Ask an admin if you need access.`} />
      )}
    </div>
  );
}
