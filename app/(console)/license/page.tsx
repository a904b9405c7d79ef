import { pageAccess } from '@/server/api/server-caller';
import { LicenseView } from '@/components/license/license-view';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'License' };

/** The edition in force and installing a license (license.manage). The API checks the permission again on every call. */
export default async function LicensePage() {
  const { user, allows, api } = await pageAccess('/license');
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="License" description="The edition in force, what it includes, and installing a license file from the vendor." />
      {allows('license.manage') ? (
        <LicenseView initial={await api.license.status()} />
      ) : (
        <ErrorState title="Not available for your role" message={`Only admins manage the license; your role is ${user.role}.`} />
      )}
    </div>
  );
}
