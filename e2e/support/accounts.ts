/**
 * The accounts every run seeds, one per role. The passwords are throwaway values for a temp data
 * folder that is deleted after the run; they protect nothing.
 */
export const ROLES = ['admin', 'operator', 'approver', 'viewer'] as const;
export type E2ERole = (typeof ROLES)[number];

export interface Account {
  readonly username: string;
  readonly password: string;
  readonly role: E2ERole;
}

export const ACCOUNTS: Readonly<Record<E2ERole, Account>> = {
  admin: { username: 'admin', password: 'e2e-admin-pass-0001', role: 'admin' },
  operator: { username: 'operator', password: 'e2e-operator-pass-0002', role: 'operator' },
  approver: { username: 'approver', password: 'e2e-approver-pass-0003', role: 'approver' },
  viewer: { username: 'viewer', password: 'e2e-viewer-pass-0004', role: 'viewer' },
};
