'use client';
/** One account: its role (changeable), status, its live sessions (end them all) and a disable action with confirmation. */
import { useId, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { countOf } from '@/components/ui/count';
import { ErrorState } from '@/components/ui/error-state';
import { ROLES, type Role } from '@/server/core/access/rbac';
import type { TUser } from '@/server/api/routers/users';
import { SELECT } from './create-user-form';

export function UserRow({ user, isSelf }: { readonly user: TUser; readonly isSelf: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [role, setRole] = useState<Role>(user.role);
  const [confirmDisable, setConfirmDisable] = useState(false);
  const roleId = useId();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.users.list.pathKey() });
  const setRoleMutation = useMutation(trpc.users.setRole.mutationOptions({ onSuccess: refresh }));
  const disable = useMutation(trpc.users.disable.mutationOptions({ onSuccess: refresh }));
  const signOutEverywhere = useMutation(trpc.users.signOutEverywhere.mutationOptions({ onSuccess: refresh }));
  const unlock = useMutation(trpc.users.unlock.mutationOptions({ onSuccess: refresh }));
  const error = setRoleMutation.error ?? disable.error ?? signOutEverywhere.error ?? unlock.error;
  // The server refuses changes to your own account (SELF_CHANGE) and to the last admin; hide what cannot work.
  const editable = !isSelf && !user.disabled;

  return (
    <li className="py-4 first:pt-0 last:pb-0" data-testid="users-row" data-username={user.username}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium text-slate-100">{user.username}</span>
        <Badge>{user.role}</Badge>
        {user.disabled ? <Badge tone="bad">disabled</Badge> : <Badge tone="good">active</Badge>}
        {isSelf ? <Badge tone="info">you</Badge> : null}
        {user.lockedMinutes > 0 ? (
          <Badge tone="bad" data-testid="user-locked">
            sign-in locked for {countOf(user.lockedMinutes, 'more minute')}
          </Badge>
        ) : null}
      </div>
      <p className="mt-1 text-sm text-slate-400">
        Created <time dateTime={user.createdAt}>{user.createdAt}</time> by {user.createdBy}
        {' · '}last sign-in {user.lastLoginAt ? <time dateTime={user.lastLoginAt}>{user.lastLoginAt}</time> : 'never'}
        {user.failedLogins > 0 ? ` · ${countOf(user.failedLogins, 'failed sign-in')}` : ''}
        {' · '}
        <span data-testid="user-active-sessions">{countOf(user.activeSessions, 'active session')}</span>
      </p>
      {user.lockedMinutes > 0 ? (
        <div className="mt-2">
          <Button variant="secondary" pending={unlock.isPending} onClick={() => unlock.mutate({ username: user.username })} data-testid="unlock-user">
            Unlock {user.username}
          </Button>
        </div>
      ) : null}
      {user.activeSessions > 0 ? (
        <div className="mt-2">
          <Button
            variant="secondary"
            pending={signOutEverywhere.isPending}
            onClick={() => signOutEverywhere.mutate({ username: user.username })}
            data-testid="sign-out-everywhere"
          >
            {isSelf ? 'Sign me out everywhere' : `Sign ${user.username} out everywhere`}
          </Button>
        </div>
      ) : null}
      {editable ? (
        <div className="mt-3 flex flex-wrap items-end gap-2">
          <div className="flex flex-col gap-1.5">
            <label htmlFor={roleId} className="text-sm font-medium text-slate-200">
              Role for {user.username}
            </label>
            <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as Role)} className={`${SELECT} w-40`} data-testid="user-role-select">
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <Button
            variant="secondary"
            disabled={role === user.role}
            pending={setRoleMutation.isPending}
            onClick={() => setRoleMutation.mutate({ username: user.username, role })}
            data-testid="change-role"
          >
            Change role
          </Button>
          {confirmDisable ? (
            <>
              <Button variant="danger" pending={disable.isPending} onClick={() => disable.mutate({ username: user.username })} data-testid="disable-user-confirm">
                Yes, disable {user.username}
              </Button>
              <Button variant="ghost" onClick={() => setConfirmDisable(false)}>
                Cancel
              </Button>
            </>
          ) : (
            <Button variant="secondary" onClick={() => setConfirmDisable(true)} data-testid="disable-user">
              Disable…
            </Button>
          )}
        </div>
      ) : null}
      {confirmDisable && editable ? (
        <p role="alert" className="mt-2 text-sm text-rose-200">
          {user.username} will be signed out and unable to sign in. The account and its history stay in the audit log.
        </p>
      ) : null}
      {error ? (
        <div className="mt-3">
          <ErrorState title="The change was not made" message={error.message} code={errorCode(error)} />
        </div>
      ) : null}
    </li>
  );
}
