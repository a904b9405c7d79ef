import { pageAccess } from '@/server/api/server-caller';
import { ModuleDetail } from '@/components/modules/module-detail';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'Module' };

/** One module (modules.read); the Run form only for runs.execute holders (the API checks both again). */
export default async function ModulePage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const { user, allows } = await pageAccess(`/modules/${encodeURIComponent(name)}`);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={name}
        description="Its stored versions, what the inspector found, and its recent runs."
        actions={
          allows('modules.read') && allows('runs.execute') ? (
            <a href="#run" className="inline-flex min-h-11 items-center rounded-md bg-indigo-600 px-4 text-sm font-medium text-white hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-indigo-300" data-testid="header-run">
              Run this module
            </a>
          ) : undefined
        }
      />
      {allows('modules.read') ? (
        <ModuleDetail name={name} canRun={allows('runs.execute')} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot see modules.`} />
      )}
    </div>
  );
}
