/** Reading recorded runs: listing with filters (newest first, keyset pagination) and one run whole. */
import { and, desc, eq, inArray, lt, lte, gte, or, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { auditEvents, runDeniedRules, runRecords, runs } from '../../db/schema';
import type { DecisionRecord, DecisionVerdicts } from '../core/guardian/decision-record';
import { parseDecisionRecord, parseDecisionVerdicts } from '../core/guardian/decision-record-schema';
import type { Result } from '../core/result';

export type RunRow = typeof runs.$inferSelect;
export type RunSummary = Omit<RunRow, 'stdin' | 'stdout' | 'stderr' | 'capabilityDenials'>;

export interface RunFilter {
  readonly module?: string;
  readonly decision?: 'allow' | 'deny';
  readonly outcome?: string;
  readonly since?: Date;
  /** Keyset cursor: only runs that started before this time. */
  readonly before?: Date;
  readonly limit?: number;
}

const { stdin: _i, stdout: _o, stderr: _e, capabilityDenials: _c, ...summaryColumns } = getTableColumns(runs);
void [_i, _o, _e, _c];

/**
 * A run's decision record, stored once (migration 0020): the payload of its own run.decided audit
 * event, or for a run recorded before that migration whose event did not match, its kept copy.
 * The join checks the event is this run's decision, so a wrong audit_seq yields no record, never
 * another run's.
 */
const recordText = sql<string | null>`coalesce(${runRecords.record}, ${auditEvents.payload})`;
const ownRecord = eq(runRecords.runId, runs.id);
const ownDecision = and(eq(auditEvents.seq, runs.auditSeq), eq(auditEvents.action, 'run.decided'), eq(auditEvents.subject, sql`'run:' || ${runs.id}`));

/** Why a run's decision record could not be read (`audit verify` says whether the log was altered). */
export interface UnreadableRecord {
  readonly unreadable: string;
}

export const isUnreadable = <T extends object>(r: T | UnreadableRecord | undefined): r is UnreadableRecord => r !== undefined && 'unreadable' in r;

type RecordReader<T> = (text: string, id: string) => Result<T, string>;

function parseRecord<T>(id: string, text: string | null, read: RecordReader<T>): T {
  if (text === null) throw new Error(`run ${id} has no decision record: its run.decided audit event is missing`);
  // Any published version of the record (older ones lack later fields); never a bare cast.
  const record = read(text, id);
  if (!record.ok) throw new Error(record.message);
  return record.value;
}

export class RunQueries {
  constructor(private readonly db: Db) {}

  list(filter: RunFilter = {}): RunSummary[] {
    const where: SQL[] = [];
    if (filter.module) where.push(eq(runs.moduleName, filter.module));
    if (filter.decision) where.push(eq(runs.decision, filter.decision));
    if (filter.outcome) where.push(eq(runs.outcome, filter.outcome));
    if (filter.since) where.push(gte(runs.startedAt, filter.since));
    if (filter.before) where.push(lt(runs.startedAt, filter.before));
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    return this.db
      .select(summaryColumns)
      .from(runs)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(runs.startedAt))
      .limit(limit)
      .all();
  }

  /**
   * One page, newest first, for the console: keyset pagination on (startedAt, id) so that runs
   * sharing a millisecond are neither skipped nor repeated, and a page costs the same at any depth.
   * `until` is inclusive, `since` inclusive. Returns one extra row's worth of knowledge as `hasMore`.
   */
  page(
    filter: Omit<RunFilter, 'before'> & { until?: Date; cursor?: { startedAt: Date; id: string }; moduleContains?: string; failedRule?: string },
  ): { rows: RunSummary[]; hasMore: boolean } {
    const where: SQL[] = [];
    if (filter.module) where.push(eq(runs.moduleName, filter.module));
    // The console's module filter is a substring, as on the Modules page; % and _ are literal.
    if (filter.moduleContains) where.push(sql`${runs.moduleName} LIKE ${`%${escapeLike(filter.moduleContains)}%`} ESCAPE '\\'`);
    // Runs where this rule failed: run_denied_rules is indexed by (rule, started_at).
    if (filter.failedRule) where.push(inArray(runs.id, this.db.select({ id: runDeniedRules.runId }).from(runDeniedRules).where(eq(runDeniedRules.rule, filter.failedRule))));
    if (filter.decision) where.push(eq(runs.decision, filter.decision));
    if (filter.outcome) where.push(eq(runs.outcome, filter.outcome));
    if (filter.since) where.push(gte(runs.startedAt, filter.since));
    if (filter.until) where.push(lte(runs.startedAt, filter.until));
    if (filter.cursor) {
      const { startedAt, id } = filter.cursor;
      // The redundant upper bound gives SQLite an index range on started_at; the OR alone forces a scan.
      where.push(lte(runs.startedAt, startedAt), or(lt(runs.startedAt, startedAt), lt(runs.id, id))!);
    }
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    const rows = this.db
      .select(summaryColumns)
      .from(runs)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(runs.startedAt), desc(runs.id))
      .limit(limit + 1)
      .all();
    return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /**
   * The decision records of these runs only (no output columns), for a list that explains each row.
   * A record that cannot be read (missing, or fitting no published version: a damaged database) is
   * returned as its problem, so one bad row is marked in a list instead of failing the whole page.
   */
  records(ids: readonly string[]): Map<string, DecisionRecord | UnreadableRecord> {
    return this.readRecords(ids, parseDecisionRecord);
  }

  /** Like `records`, but only how each was decided (parseDecisionVerdicts): enough to say why a row was denied. */
  verdicts(ids: readonly string[]): Map<string, DecisionVerdicts | UnreadableRecord> {
    return this.readRecords(ids, parseDecisionVerdicts);
  }

  private readRecords<T>(ids: readonly string[], read: RecordReader<T>): Map<string, T | UnreadableRecord> {
    if (ids.length === 0) return new Map();
    const rows = this.db
      .select({ id: runs.id, record: recordText })
      .from(runs)
      .leftJoin(runRecords, ownRecord)
      .leftJoin(auditEvents, ownDecision)
      .where(inArray(runs.id, [...ids]))
      .all();
    return new Map(
      rows.map((r): [string, T | UnreadableRecord] => {
        try {
          return [r.id, parseRecord(r.id, r.record, read)];
        } catch (e) {
          return [r.id, { unreadable: (e as Error).message }];
        }
      }),
    );
  }

  get(id: string): (RunRow & { record: DecisionRecord }) | undefined {
    const row = this.db
      .select({ ...getTableColumns(runs), record: recordText })
      .from(runs)
      .leftJoin(runRecords, ownRecord)
      .leftJoin(auditEvents, ownDecision)
      .where(eq(runs.id, id))
      .get();
    return row ? { ...row, record: parseRecord(row.id, row.record, parseDecisionRecord) } : undefined;
  }
}

/** Makes % and _ (and the escape character itself) match literally in a LIKE ... ESCAPE '\\' pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
