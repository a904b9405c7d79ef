/**
 * THE table of who may call which tRPC procedure. Every procedure is declared with
 * `guarded('<router>.<procedure>')` (server/api/trpc.ts), which looks its access up here; adding a
 * procedure without a row here does not compile, and server/api/rbac.test.ts fails if a procedure
 * of appRouter is missing from this table or behaves differently from it.
 *
 * 'public'     anyone, signed in or not (keep this rare)
 * 'signed-in'  any active user, whatever the role
 * otherwise    a permission from server/core/access/rbac.ts
 */
import type { Permission } from '../core/access/rbac';

export type Access = Permission | 'public' | 'signed-in';

export const PROCEDURE_ACCESS = {
  'users.me': 'signed-in',
  'users.list': 'users.manage',
  'users.create': 'users.manage',
  'users.disable': 'users.manage',
  'users.setRole': 'users.manage',
  'users.signOutEverywhere': 'users.manage',
  'users.unlock': 'users.manage',
  'audit.page': 'audit.read',
  'audit.actions': 'audit.read',
  'audit.witnesses': 'audit.read',
  'audit.prove': 'audit.read',
  'keys.list': 'keys.read',
  'keys.add': 'keys.manage',
  'keys.revoke': 'keys.manage',
  'modules.list': 'modules.read',
  'modules.get': 'modules.read',
  'modules.run': 'runs.execute',
  'runs.list': 'runs.read',
  'runs.get': 'runs.read',
  'runs.replay': 'runs.execute',
  'watchtower.summary': 'runs.read',
  'watchtower.feed': 'runs.read',
  'quarantine.list': 'quarantine.read',
  'quarantine.add': 'quarantine.add',
  'quarantine.release': 'quarantine.release',
  'quarantine.history': 'quarantine.read',
  'inbox.pendingCount': 'inbox.decide',
  'quarantine.myKeys': 'quarantine.release',
  'policies.active': 'policies.read',
  'policies.history': 'policies.read',
  'policies.proposal': 'policies.read',
  'policies.check': 'policies.manage',
  'policies.propose': 'policies.manage',
  'policies.restore': 'policies.manage',
  // Deciding a proposal is deciding an approval: approvers (and admins), like the inbox.
  'policies.decide': 'inbox.decide',
  'inbox.list': 'inbox.read',
  'inbox.review': 'inbox.read',
  'inbox.decide': 'inbox.decide',
  'inbox.registerKey': 'inbox.decide',
  'delivery.status': 'delivery.manage',
  'delivery.attempts': 'delivery.manage',
  'delivery.createWebhook': 'delivery.manage',
  'delivery.setEnabled': 'delivery.manage',
  // The edition and the features in force, so any page can say "PRO" (no licensee details).
  // Simulation reads the run history and changes nothing (PRO: refused on the server without it).
  'simulation.run': 'policies.read',
  'simulation.recommend': 'policies.read',
  'license.features': 'signed-in',
  'license.status': 'license.manage',
  'license.install': 'license.manage',
} as const satisfies Record<string, Access>;

export type ProcedurePath = keyof typeof PROCEDURE_ACCESS;
