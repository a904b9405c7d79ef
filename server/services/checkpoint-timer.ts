/**
 * The time half of the checkpoint policy for quiet periods: appends check the interval themselves,
 * but events written just before a quiet spell would otherwise wait for the next append. The timer
 * is unref'd, so it never keeps a CLI process alive.
 */
import type { AuditLog } from './audit-log';

export const CHECKPOINT_TIMER_MS = 5_000;

export function startCheckpointTimer(audit: Pick<AuditLog, 'checkpointIfDue'>, everyMs: number = CHECKPOINT_TIMER_MS): () => void {
  const timer = setInterval(() => {
    try {
      audit.checkpointIfDue();
    } catch {
      // a locked or closing database: the next tick (or the next append) tries again
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
