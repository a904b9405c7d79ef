/**
 * The time half of the checkpoint policy for quiet periods: appends check the interval themselves,
 * but events written just before a quiet spell would otherwise wait for the next append. The timer
 * is unref'd, so it never keeps a CLI process alive.
 */
import type { AuditLog } from './audit-log';
import type { WitnessPusher } from './witness-client';

export const CHECKPOINT_TIMER_MS = 5_000;

/**
 * Also pushes the newest checkpoint to the configured witnesses after each tick (one push at a
 * time; a slow witness delays the next push, never an append).
 */
export function startCheckpointTimer(
  audit: Pick<AuditLog, 'checkpointIfDue'>,
  everyMs: number = CHECKPOINT_TIMER_MS,
  witnesses?: Pick<WitnessPusher, 'witnesses' | 'pushAll'>,
): () => void {
  let pushing = false;
  const timer = setInterval(() => {
    try {
      audit.checkpointIfDue();
    } catch {
      // a locked or closing database: the next tick (or the next append) tries again
    }
    if (!witnesses || witnesses.witnesses.length === 0 || pushing) return;
    pushing = true;
    witnesses
      .pushAll()
      .catch(() => undefined) // outcomes are kept per witness by the pusher; a thrown error is retried next tick
      .finally(() => (pushing = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
