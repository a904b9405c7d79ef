import { pageAccess } from '@/server/api/server-caller';
import { KeysView } from '@/components/keys/keys-view';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'Keys' };

/** The trust store. Listing needs keys.read; adding and revoking need keys.manage (checked again by the API). */
export default async function KeysPage() {
  const { user, allows } = await pageAccess('/keys');
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Keys" description="The public keys whose signatures Night Core trusts, and what each may sign." />
      {allows('keys.read') ? (
        <KeysView canManage={allows('keys.manage')} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot see the trust store. Ask an admin if you need access.`} />
      )}
    </div>
  );
}
