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

/**
 * How far the watermark (table run_reconcile) may lag the log before an open that found nothing
 * to reconcile moves it anyway: an open reads at most about this many events' starts, and a
 * read-only command writes nothing unless the log grew this much since the last mark.
 */
export const WATERMARK_STEP = 1000;

/**
 * run.started events after the watermark and inside the lookback window with no decision after
 * them: the old ones are interrupted, the young ones may still be running. Found through the
 * action index (it carries seq), so only the starts after the mark are read.
 */
const UNDECIDED_STARTS_SQL = `
  SELECT s.seq, s.time, s.actor, s.subject, s.payload FROM audit_events s
  WHERE s.action = 'run.started' AND s.seq > ? AND s.time >= ?
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

/** What an open finds: the starts to decide interrupted, and where the watermark may move. */
function survey(sqlite: Database.Database, now: Date) {
  const watermark = (sqlite.prepare('SELECT checked_through_seq FROM run_reconcile WHERE id = 1').pluck().get() as number | undefined) ?? 0;
  const until = new Date(now.getTime() - INTERRUPTED_AFTER_MS).toISOString();
  const from = new Date(now.getTime() - RECONCILE_LOOKBACK_MS).toISOString();
  const undecided = sqlite.prepare<[number, string], OpenStart>(UNDECIDED_STARTS_SQL).all(watermark, from);
  const head = (sqlite.prepare('SELECT max(seq) FROM audit_events').pluck().get() as number | null) ?? 0;
  const open = undecided.filter((s) => s.time < until);
  // The mark stops just before the oldest start that may still be running; else it reaches the head.
  const oldestYoung = undecided.find((s) => s.time >= until); // rows come in seq order
  const next = oldestYoung ? oldestYoung.seq - 1 : head;
  return { open, watermark, next };
}

/**
 * Appends one `run.interrupted` per open start, all in one transaction with the watermark (the
 * survey runs again inside it, so two processes opening at once cannot both reconcile the same
 * start). An open with nothing to reconcile and a mark close to the head reads a snapshot and
 * takes no write lock, so a CLI command does not stall the console's runs. Returns how many.
 */
export function reconcileInterruptedRuns(sqlite: Database.Database, audit: AuditLog, now: Date): number {
  const first = sqlite.transaction(() => survey(sqlite, now)).deferred();
  if (first.open.length === 0 && first.next - first.watermark < WATERMARK_STEP) return 0;
  return sqlite.transaction(() => {
    const { open, watermark, next } = survey(sqlite, now);
    if (open.length > 0) audit.appendMany(open.map(interruptedEvent));
    if (next > watermark) {
      sqlite.prepare('INSERT INTO run_reconcile (id, checked_through_seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_through_seq = excluded.checked_through_seq').run(next);
    }
    return open.length;
  }).immediate();
}
