import { describe, it, expect } from 'vitest';
import { can, isRole, permissionsOf, PERMISSIONS, ROLES, type Permission, type Role } from './rbac';

/** The expected grants, written out in full so a change to the table must change this test too. */
const EXPECTED: Record<Permission, readonly Role[]> = {
  'modules.read': ['viewer', 'operator', 'approver', 'admin'],
  'modules.upload': ['operator', 'admin'],
  'runs.read': ['viewer', 'operator', 'approver', 'admin'],
  'runs.execute': ['operator', 'admin'],
  'quarantine.read': ['viewer', 'operator', 'approver', 'admin'],
  'quarantine.add': ['operator', 'approver', 'admin'],
  'quarantine.release': ['approver', 'admin'],
  'inbox.read': ['viewer', 'operator', 'approver', 'admin'],
  'inbox.submit': ['operator', 'admin'],
  'inbox.decide': ['approver', 'admin'],
  'users.manage': ['admin'],
  'keys.read': ['viewer', 'operator', 'approver', 'admin'],
  'keys.manage': ['admin'],
  'policies.read': ['viewer', 'operator', 'approver', 'admin'],
  'policies.manage': ['admin'],
  'audit.read': ['viewer', 'operator', 'approver', 'admin'],
  'audit.export': ['approver', 'admin'],
  'delivery.manage': ['admin'],
  'license.manage': ['admin'],
};

describe('RBAC table', () => {
  for (const permission of PERMISSIONS) {
    for (const role of ROLES) {
      const expected = EXPECTED[permission].includes(role);
      it(`${role} ${expected ? 'may' : 'may not'} ${permission}`, () => {
        expect(can(role, permission)).toBe(expected);
      });
    }
  }

  it('lists exactly the permissions the table grants, without duplicates', () => {
    for (const role of ROLES) {
      const listed = permissionsOf(role);
      expect(new Set(listed).size).toBe(listed.length);
      expect([...listed].sort()).toEqual(PERMISSIONS.filter((p) => EXPECTED[p].includes(role)).sort());
    }
  });

  it('is not a ladder: an approver releases quarantine but cannot upload or run', () => {
    expect(can('approver', 'quarantine.release')).toBe(true);
    expect(can('approver', 'modules.upload')).toBe(false);
    expect(can('operator', 'quarantine.release')).toBe(false);
  });

  it('denies unknown roles and non-strings', () => {
    for (const bogus of ['root', 'Admin', '', undefined, null, 3, { role: 'admin' }]) {
      expect(isRole(bogus)).toBe(false);
      for (const permission of PERMISSIONS) expect(can(bogus, permission)).toBe(false);
    }
  });
});
