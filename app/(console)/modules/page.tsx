import { pageAccess } from '@/server/api/server-caller';
import { ModulesView } from '@/components/modules/modules-view';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'Modules' };

/** Stored modules (modules.read); the upload panel only for modules.upload holders (the endpoint checks again). */
export default async function ModulesPage() {
  const { user, allows } = await pageAccess('/modules');
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Modules" description="Signed WebAssembly modules Night Core has verified and stored, latest version first." />
      {allows('modules.read') ? (
        <ModulesView canUpload={allows('modules.upload')} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot see modules.`} />
      )}
    </div>
  );
}
