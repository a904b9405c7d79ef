import { pageAccess } from '@/server/api/server-caller';
import { UsersView } from '@/components/users/users-view';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'Users' };

/** Accounts and roles (users.manage). The API checks the permission again on every call. */
export default async function UsersPage() {
  const { user, allows } = await pageAccess('/users');
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Users" description="Who may sign in to the console, and with which role." />
      {allows('users.manage') ? (
        <UsersView currentUsername={user.username} />
      ) : (
        <ErrorState title="Not available for your role" message={`Only admins manage users; your role is ${user.role}.`} />
      )}
    </div>
  );
}
