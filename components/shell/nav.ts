import type { Permission } from '@/server/core/access/rbac';

/** The console's sections; a section shows only for roles holding its permission (the server checks again). */
export const NAV: readonly { href: string; label: string; permission: Permission }[] = [
  { href: '/', label: 'Watchtower', permission: 'runs.read' },
  { href: '/modules', label: 'Modules', permission: 'modules.read' },
  { href: '/runs', label: 'Runs', permission: 'runs.read' },
  { href: '/inbox', label: 'Inbox', permission: 'inbox.read' },
  { href: '/quarantine', label: 'Quarantine', permission: 'quarantine.read' },
  { href: '/audit', label: 'Audit log', permission: 'audit.read' },
  { href: '/policies', label: 'Policies', permission: 'policies.read' },
  { href: '/keys', label: 'Keys', permission: 'keys.read' },
  { href: '/users', label: 'Users', permission: 'users.manage' },
  { href: '/admin/delivery', label: 'Delivery', permission: 'delivery.manage' },
  { href: '/license', label: 'License', permission: 'license.manage' },
];
