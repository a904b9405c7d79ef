/**
 * Roles and what each may do: a pure, explicit table. Roles are NOT a ladder (an approver may
 * release quarantine but not upload modules); anything not listed for a role is denied.
 * Used by the tRPC middleware, the pages and the CLI alike.
 */

export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'modules.read',
  'modules.upload',
  'runs.read',
  'runs.execute',
  'quarantine.read',
  'quarantine.add',
  'quarantine.release',
  'inbox.read',
  'inbox.submit',
  'inbox.decide',
  'users.manage',
  'keys.read',
  'keys.manage',
  'policies.read',
  'policies.manage',
  'audit.read',
  'audit.export',
  // webhooks and SIEM sinks: where audit events leave the machine
  'delivery.manage',
  'license.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: readonly Permission[] = ['modules.read', 'runs.read', 'quarantine.read', 'inbox.read', 'keys.read', 'policies.read', 'audit.read'];

/**
 * The whole authorisation model. `satisfies Record<Role, ...>` makes a new role a compile error
 * until its row is written; there is no default row.
 */
export const ROLE_PERMISSIONS = {
  // Watches: dashboards, runs, quarantine, the audit trail. Changes nothing.
  viewer: READ,
  // Does the daily work: uploads modules, runs them, submits to the inbox, quarantines what looks wrong.
  operator: [...READ, 'modules.upload', 'runs.execute', 'inbox.submit', 'quarantine.add'],
  // Signs off: decides inbox items and releases quarantine, exports evidence; cannot upload or run
  // (separation of duties: the one who submits is not the one who approves).
  approver: [...READ, 'inbox.decide', 'quarantine.add', 'quarantine.release', 'audit.export'],
  // Everything, including accounts, trusted keys, policies and the license.
  admin: PERMISSIONS,
} as const satisfies Record<Role, readonly Permission[]>;

const GRANTS: ReadonlyMap<Role, ReadonlySet<Permission>> = new Map(
  ROLES.map((role) => [role, new Set<Permission>(ROLE_PERMISSIONS[role])]),
);

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);
export const isPermission = (value: unknown): value is Permission =>
  typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);

/** Deny unless the table grants it; unknown roles (e.g. from an old token) get nothing. */
export function can(role: unknown, permission: Permission): boolean {
  if (!isRole(role)) return false;
  return GRANTS.get(role)?.has(permission) ?? false;
}

export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}
