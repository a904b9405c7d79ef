'use client';
/** The /users page body: create accounts, list them, change roles, disable. */
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { CreateUserForm } from './create-user-form';
import { UserRow } from './user-row';

export function UsersView({ currentUsername }: { readonly currentUsername: string }) {
  const trpc = useTRPC();
  const users = useQuery(trpc.users.list.queryOptions());
  return (
    <div className="flex flex-col gap-6">
      <Card title="Create a user" description="A password is generated and shown once. Roles: viewer watches, operator runs, approver signs off, admin manages.">
        <CreateUserForm />
      </Card>
      <Card title="Users">
        {users.isPending ? (
          <p role="status" className="text-sm text-slate-400">
            Loading users…
          </p>
        ) : users.isError ? (
          <ErrorState
            title="Could not load users"
            message={users.error.message}
            code={errorCode(users.error)}
            action={
              <Button variant="secondary" onClick={() => users.refetch()}>
                Try again
              </Button>
            }
          />
        ) : users.data.length === 0 ? (
          <EmptyState title="No users yet" description="Create the first account above." />
        ) : (
          <ul className="flex flex-col divide-y divide-slate-800" data-testid="users-list">
            {users.data.map((u) => (
              <UserRow key={u.id} user={u} isSelf={u.username === currentUsername} />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
