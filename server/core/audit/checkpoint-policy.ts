/**
 * When the log signs a checkpoint. Events after the newest checkpoint can be rewritten (with
 * recomputed hashes) by anyone who can write the database, so that window is kept short:
 *
 * - every `every` events (a count), and
 * - when the newest checkpoint is older than `intervalMs` (a time), checked at every append and by
 *   a timer in long-running hosts, and
 * - right after a security-relevant event (keys, users, policy, quarantine, the server key, the kill
 *   switch), so the changes an attacker most wants to hide are sealed in the same transaction, and
 * - on demand (`nightcore audit checkpoint`).
 */
import type { AuditAction } from './event';

export const DEFAULT_CHECKPOINT_EVERY = 1000;
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;

/** Actions sealed by a checkpoint in the same transaction that writes them. */
export const SECURITY_ACTIONS: ReadonlySet<AuditAction> = new Set<AuditAction>([
  'key.added',
  'key.revoked',
  'user.created',
  'user.disabled',
  'user.role_changed',
  'user.password_changed',
  'user.unlocked',
  'auth.sessions_revoked',
  'policy.loaded',
  'policy.revised',
  'module.quarantined',
  'module.released',
  'server.key_created',
  // the new key's first checkpoint seals the rotation it was handed
  'server.key_rotated',
  'sandbox.kill_switch',
  // agent tokens are credentials like accounts; approval keys are keys
  'agent.created',
  'agent.revoked',
  'approval.key_registered',
  // the edition decides which gates are open
  'license.installed',
  // a new or changed destination opens a path for events to leave the machine
  'delivery.destination_added',
  'delivery.destination_changed',
  'delivery.destination_disabled',
  // the database itself was upgraded, copied out or replaced
  'data.migrated',
  'data.backed_up',
  'data.restored',
]);

export type CheckpointReason = 'first' | 'security' | 'interval';

export interface CheckpointState {
  /** the newest checkpoint before this write, if any */
  readonly last: { readonly seq: number; readonly time: string } | undefined;
  /** the head after this write */
  readonly headSeq: number;
  /** the time of this write (ISO 8601) */
  readonly time: string;
  /** the actions this write appended */
  readonly actions: readonly string[];
  readonly intervalMs: number;
}

/**
 * Whether a write that did not already end on a count checkpoint must be sealed, and why.
 * undefined: not due (the head is already checkpointed, or nothing asks for it yet).
 */
export function checkpointDueAfterWrite(s: CheckpointState): CheckpointReason | undefined {
  if (s.last !== undefined && s.last.seq >= s.headSeq) return undefined;
  if (s.last === undefined) return 'first'; // a fresh log is never without one
  if (s.actions.some((a) => SECURITY_ACTIONS.has(a as AuditAction))) return 'security';
  return intervalElapsed(s.last.time, s.time, s.intervalMs) ? 'interval' : undefined;
}

/** True when `now` is at least `intervalMs` after `since`; a clock that went backwards counts as elapsed. */
export function intervalElapsed(since: string, now: string, intervalMs: number): boolean {
  const elapsed = Date.parse(now) - Date.parse(since);
  return !(elapsed >= 0 && elapsed < intervalMs);
}
