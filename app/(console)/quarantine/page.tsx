import { pageAccess } from '@/server/api/server-caller';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { QuarantineBoard } from '@/components/quarantine/quarantine-board';

export const metadata = { title: 'Quarantine' };

/** The on-call page. The first list comes through the same tRPC procedure (same permission check). */
export default async function QuarantinePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user, allows, api } = await pageAccess('/quarantine');
  const q = (await searchParams).q;
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <PageHeader title="Quarantine" description="Module versions Guardian refuses to run until the approval quorum signs their release, which rule and outcome put each one there, how long ago, and who released what." />
      {allows('quarantine.read') ? (
        <QuarantineBoard
          initial={await api.quarantine.list()}
          history={await api.quarantine.history()}
          canAdd={allows('quarantine.add')}
          canRelease={allows('quarantine.release')}
          username={user.username}
          initialQuery={typeof q === 'string' ? q.slice(0, 200) : ''}
        />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot read the quarantine (quarantine.read). Ask an admin.`} />
      )}
    </div>
  );
}
