/** Accounts: `me` for anyone signed in; listing, changes and ending sessions for admins (users.manage). */
import { z } from 'zod';
import { generatePassword, MAX_PASSWORD_LENGTH } from '../../core/access/password';
import { permissionsOf, ROLES } from '../../core/access/rbac';
import { actorForUser, usersOf, type PublicUser } from '../../services/users';
import { loginLimiter } from '../../auth/login-limiter';
import { unwrap } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';

export const ZRoleSchema = z.enum(ROLES);
// Validated again (anchored) in the service; here only to bound the input.
export const ZUsernameSchema = z.string().min(1).max(64);

export const ZUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: ZRoleSchema,
  disabled: z.boolean(),
  failedLogins: z.number().int(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  /** Sessions that are signed in right now (not revoked, not expired). */
  activeSessions: z.number().int(),
  /** Minutes until sign-in is allowed again after too many failures (0: not locked). */
  lockedMinutes: z.number().int(),
});
export type TUser = z.infer<typeof ZUserSchema>;

export const ZCreateUserSchema = z.object({
  username: ZUsernameSchema,
  role: ZRoleSchema,
  /** Omit to have one generated; it is returned once and never stored in plain text. */
  password: z.string().max(MAX_PASSWORD_LENGTH * 4).optional(),
});

/** Plain JSON for the wire (no transformer): dates as ISO strings. */
function toWire(u: PublicUser, activeSessions: number): TUser {
  const lockedMinutes = loginLimiter().accountLockedMinutes(u.username, u.lockoutClearedAt?.getTime());
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    failedLogins: u.failedLogins,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    createdBy: u.createdBy,
    updatedAt: u.updatedAt.toISOString(),
    activeSessions,
    lockedMinutes,
  };
}

const CHANGE_STATUS = {
  USER_NOT_FOUND: 'NOT_FOUND',
  ALREADY_DISABLED: 'CONFLICT',
  ROLE_UNCHANGED: 'CONFLICT',
  INVALID_ROLE: 'BAD_REQUEST',
  LAST_ADMIN: 'CONFLICT',
  SELF_CHANGE: 'BAD_REQUEST',
} as const;

export const usersRouter = createTRPCRouter({
  me: guarded('users.me')
    .output(z.object({ id: z.string(), username: z.string(), role: ZRoleSchema, permissions: z.array(z.string()) }))
    .query(({ ctx }) => ({ ...ctx.user, permissions: [...permissionsOf(ctx.user.role)] })),

  list: guarded('users.list')
    .output(z.array(ZUserSchema))
    .query(({ ctx }) => {
      const users = usersOf(ctx.services);
      return users.list().map((u) => toWire(u, users.sessions.activeCount(u.id)));
    }),

  create: guarded('users.create')
    .input(ZCreateUserSchema)
    .output(z.object({ user: ZUserSchema, generatedPassword: z.string().optional() }))
    .mutation(async ({ ctx, input }) => {
      const generated = input.password === undefined ? generatePassword() : undefined;
      const created = await usersOf(ctx.services).create(
        { username: input.username, role: input.role, password: input.password ?? generated! },
        actorForUser(ctx.user.username),
      );
      const user = unwrap(created, {
        INVALID_USERNAME: 'BAD_REQUEST',
        INVALID_ROLE: 'BAD_REQUEST',
        PASSWORD_TOO_SHORT: 'BAD_REQUEST',
        PASSWORD_TOO_LONG: 'BAD_REQUEST',
        USER_EXISTS: 'CONFLICT',
        SEAT_LIMIT: 'FORBIDDEN',
      });
      return { user: toWire(user, 0), ...(generated ? { generatedPassword: generated } : {}) };
    }),

  disable: guarded('users.disable')
    .input(z.object({ username: ZUsernameSchema }))
    .output(ZUserSchema)
    .mutation(({ ctx, input }) => toWire(unwrap(usersOf(ctx.services).disable(input.username, actorForUser(ctx.user.username)), CHANGE_STATUS), 0)),

  setRole: guarded('users.setRole')
    .input(z.object({ username: ZUsernameSchema, role: ZRoleSchema }))
    .output(ZUserSchema)
    .mutation(({ ctx, input }) => toWire(unwrap(usersOf(ctx.services).setRole(input.username, input.role, actorForUser(ctx.user.username)), CHANGE_STATUS), 0)),

  /** Lets a locked-out account sign in again now (earlier failures stop counting); audited as user.unlocked. */
  unlock: guarded('users.unlock')
    .input(z.object({ username: ZUsernameSchema }))
    .output(ZUserSchema)
    .mutation(({ ctx, input }) => {
      const users = usersOf(ctx.services);
      const unlocked = unwrap(users.unlock(input.username, actorForUser(ctx.user.username)), CHANGE_STATUS);
      return toWire(unlocked, users.sessions.activeCount(unlocked.id));
    }),

  /** Ends every session of an account at once (a lost laptop, a leaked cookie); audited as auth.sessions_revoked. */
  signOutEverywhere: guarded('users.signOutEverywhere')
    .input(z.object({ username: ZUsernameSchema }))
    .output(ZUserSchema)
    .mutation(({ ctx, input }) =>
      toWire(unwrap(usersOf(ctx.services).signOutEverywhere(input.username, actorForUser(ctx.user.username)), CHANGE_STATUS), 0),
    ),
});
