import { requirePageUser } from '@/server/auth/session';
import { can } from '@/server/core/access/rbac';
import { ModuleDetail } from '@/components/modules/module-detail';
import { ErrorState } from '@/components/ui/error-state';

export const metadata = { title: 'Module' };

/** One module (modules.read); the Run form only for runs.execute holders (the API checks both again). */
export default async function ModulePage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const user = await requirePageUser(`/modules/${encodeURIComponent(name)}`);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="break-all text-2xl font-semibold" data-testid="page-title">
        {name}
      </h1>
      {can(user.role, 'modules.read') ? (
        <ModuleDetail name={name} canRun={can(user.role, 'runs.execute')} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot see modules.`} />
      )}
    </div>
  );
}
