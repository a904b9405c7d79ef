/**
 * Runs cut off by a crash. A run writes `run.started` before it executes and `run.decided` after;
 * a process that dies in between leaves a start with no decision, which would otherwise look like
 * a run still going on forever. When the services open, each such start old enough that it cannot
 * still be running in another process (the console and the CLI share the database) gets a
 * `run.interrupted` decision: the run counts as denied, and nothing of its output is trusted.
 *
 * Kept apart from the run pipeline on purpose: this only reads and appends audit events.
 */
import type Database from 'better-sqlite3';
import type { AuditEventInput } from '../core/audit/event';
import type { AuditLog } from './audit-log';

/**
 * A start younger than this may belong to a run that is queued or executing in another process.
 * Far above any wall-clock limit a policy can grant plus a full queue, so a live run is never
 * declared interrupted.
 */
export const INTERRUPTED_AFTER_MS = 15 * 60_000;

/** Only starts this recent are looked at: any open of the services since then already reconciled older ones. */
export const RECONCILE_LOOKBACK_MS = 30 * 24 * 60 * 60_000;

interface OpenStart {
  readonly seq: number;
  readonly time: string;
  readonly actor: string;
  readonly subject: string;
  readonly payload: string;
}

/** run.started events in [now - lookback, now - INTERRUPTED_AFTER_MS] with no decision after them. */
const OPEN_STARTS_SQL = `
  SELECT s.seq, s.time, s.actor, s.subject, s.payload FROM audit_events s
  WHERE s.action = 'run.started' AND s.time >= ? AND s.time < ?
    AND NOT EXISTS (
      SELECT 1 FROM audit_events d
      WHERE d.subject = s.subject AND d.seq > s.seq AND d.action IN ('run.decided', 'run.interrupted')
    )
  ORDER BY s.seq`;

/** What a reconciled start looks like: the run's identity from its start, the decision, and why. */
export function interruptedEvent(start: OpenStart): AuditEventInput {
  let started: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(start.payload);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) started = parsed as Record<string, unknown>;
  } catch {
    // a payload that is not an object is still a start without a decision; keep going
  }
  return {
    actor: 'system',
    action: 'run.interrupted',
    subject: start.subject,
    payload: {
      decision: 'deny',
      outcome: 'interrupted',
      reason: 'no decision was recorded after the run started: the process stopped (crash, kill, power loss) or the sandbox refused the run after its start was recorded',
      startedSeq: start.seq,
      startedAt: start.time,
      startedBy: start.actor,
      module: typeof started.module === 'string' ? started.module : null,
      wasmSha256: typeof started.wasmSha256 === 'string' ? started.wasmSha256 : null,
    },
  };
}

/**
 * Appends one `run.interrupted` per open start, all in one transaction (the query runs inside it,
 * so two processes opening at once cannot both reconcile the same start). Returns how many.
 */
export function reconcileInterruptedRuns(sqlite: Database.Database, audit: AuditLog, now: Date): number {
  const until = new Date(now.getTime() - INTERRUPTED_AFTER_MS).toISOString();
  const from = new Date(now.getTime() - RECONCILE_LOOKBACK_MS).toISOString();
  const find = sqlite.prepare<[string, string], OpenStart>(OPEN_STARTS_SQL);
  return sqlite.transaction(() => {
    const open = find.all(from, until);
    if (open.length > 0) audit.appendMany(open.map(interruptedEvent));
    return open.length;
  }).immediate();
}
