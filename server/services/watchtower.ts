/**
 * The Watchtower summary: what ran, what was denied and why, how risky it looked, and whether the
 * audit chain is intact. Built to stay within ~50 ms with 200,000 runs and 1,000,000 audit events:
 * every number is an index range COUNT (no GROUP BY temp tables, no row reads, no scan of
 * audit_events). Measured at scale by bench/console.bench.ts.
 *
 * Windows are aligned to UTC bucket boundaries (24h = the current hour and the 23 before it; 7d/30d
 * = today and the days before), so the time series adds up exactly to the totals.
 */
import type Database from 'better-sqlite3';
import { PRE_RULE_IDS, POST_RULE_IDS } from '../core/guardian';
import type { AuditLog } from './audit-log';

export const WINDOWS = ['24h', '7d', '30d'] as const;
export type Window = (typeof WINDOWS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SHAPE: Record<Window, { bucketMs: number; buckets: number; bucket: 'hour' | 'day' }> = {
  '24h': { bucketMs: HOUR, buckets: 24, bucket: 'hour' },
  '7d': { bucketMs: DAY, buckets: 7, bucket: 'day' },
  '30d': { bucketMs: DAY, buckets: 30, bucket: 'day' },
};
/** Threat scores are integers in 0..100 (core/threat/score.ts); 100 falls into the last bucket. */
const MAX_SCORE = 100;
const TOP = 5;

export interface WatchtowerSummary {
  readonly window: Window;
  readonly from: string;
  readonly to: string;
  readonly bucket: 'hour' | 'day';
  readonly runs: { total: number; allowed: number; denied: number; allowRate: number | null; perHour: number };
  readonly quarantinedActive: number;
  /** Agent Inbox submissions waiting for a decision (pending and not expired). */
  readonly pendingInbox: number;
  readonly inboxAvailable: boolean;
  readonly threat: { average: number | null; histogram: { from: number; to: number; count: number }[] };
  readonly series: { start: string; allowed: number; denied: number }[];
  readonly topDeniedRules: { rule: string; phase: 'pre' | 'post'; count: number }[];
  readonly riskyModules: { name: string; maxScore: number; runs: number }[];
  readonly audit: AuditStatus;
}

export interface AuditStatus {
  readonly headSeq: number;
  readonly headHash: string;
  readonly checkpoint: { seq: number; time: string } | null;
  /** From the newest 'audit.verified' event; null: "not verified yet". */
  readonly lastVerification: { seq: number; time: string; actor: string; ok: boolean | null; events: number | null; code: string | null } | null;
}

type Range = [from: number, to: number];

/** Every rule id that can fail, in a fixed order: rule counts are arrays indexed like this. */
const RULES = [
  ...PRE_RULE_IDS.map((rule) => ({ rule: rule as string, phase: 'pre' as const })),
  ...POST_RULE_IDS.map((rule) => ({ rule: rule as string, phase: 'post' as const })),
];

/** Counts over a time range: per bucket (allowed/denied), per threat score, per RULES entry. */
interface Totals {
  readonly series: { allowed: number; denied: number }[];
  readonly perScore: number[];
  readonly rules: number[];
}

/**
 * Totals over a window's COMPLETE buckets (all but the one holding now), kept between calls: they
 * cost a pass over every run in the window (~20 ms at 200,000 runs over 30 days), and runs are never
 * updated or deleted. A run can still land in a complete bucket late (a run is stamped when it
 * starts and inserted when it is decided), so every call checks the runs inserted since `watermark`
 * (their rowids) for one that started before `end`, and recomputes if there is one.
 */
interface Settled {
  readonly key: string;
  watermark: number;
  readonly totals: Totals;
}

export const FEED_LIMIT = 50;
interface FeedRow {
  id: string;
  module_name: string;
  module_version: string;
  started_at: number;
  decision: 'allow' | 'deny';
  outcome: string;
  threat_score: number;
}
export interface FeedItem {
  readonly id: string;
  readonly moduleName: string;
  readonly moduleVersion: string;
  readonly startedAt: string;
  readonly decision: 'allow' | 'deny';
  readonly outcome: string;
  readonly threatScore: number;
}
/** Only the small columns: the feed never reads stdout/stderr/record. */
const FEED_SELECT = 'SELECT id, module_name, module_version, started_at, decision, outcome, threat_score FROM runs';

export class WatchtowerService {
  private readonly stmt;

  constructor(
    sqlite: Database.Database,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {
    // INDEXED BY pins the plan: these must never fall back to reading run rows.
    this.stmt = {
      byDecision: sqlite.prepare<[string, number, number], { n: number }>(
        'SELECT COUNT(*) AS n FROM runs INDEXED BY runs_decision WHERE decision = ? AND started_at >= ? AND started_at < ?',
      ),
      byScore: sqlite.prepare<[number, number, number], { n: number }>(
        'SELECT COUNT(*) AS n FROM runs INDEXED BY runs_threat WHERE threat_score = ? AND started_at >= ? AND started_at < ?',
      ),
      modulesAtScore: sqlite.prepare<[number, number, number, number], { name: string }>(
        'SELECT DISTINCT module_name AS name FROM runs INDEXED BY runs_threat WHERE threat_score = ? AND started_at >= ? AND started_at < ? LIMIT ?',
      ),
      moduleRuns: sqlite.prepare<[string, number, number], { n: number }>(
        'SELECT COUNT(*) AS n FROM runs INDEXED BY runs_module WHERE module_name = ? AND started_at >= ? AND started_at < ?',
      ),
      ruleCount: sqlite.prepare<[string, number, number], { n: number }>(
        'SELECT COUNT(*) AS n FROM run_denied_rules WHERE rule = ? AND started_at >= ? AND started_at < ?',
      ),
      quarantined: sqlite.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM quarantine WHERE released_at IS NULL'),
      // Pending and not yet past expiry (an overdue one reads as expired before the sweep records it).
      pendingInbox: sqlite.prepare<[number], { n: number }>("SELECT COUNT(*) AS n FROM submissions INDEXED BY submissions_state WHERE state = 'pending' AND expires_at > ?"),
      feedNewest: sqlite.prepare<[number], FeedRow>(`${FEED_SELECT} ORDER BY started_at DESC, id DESC LIMIT ?`),
      feedAfter: sqlite.prepare<[number, string, number], FeedRow>(
        `${FEED_SELECT} WHERE (started_at, id) > (?, ?) ORDER BY started_at DESC, id DESC LIMIT ?`,
      ),
      maxRowid: sqlite.prepare<[], { n: number | null }>('SELECT max(rowid) AS n FROM runs'),
      lateSince: sqlite.prepare<[number, number], { one: number }>('SELECT 1 AS one FROM runs WHERE rowid > ? AND started_at < ? LIMIT 1'),
      lastVerified: sqlite.prepare<[], { seq: number; time: string; actor: string; payload: string }>(
        "SELECT seq, time, actor, payload FROM audit_events WHERE action = 'audit.verified' ORDER BY seq DESC LIMIT 1",
      ),
    };
  }

  private readonly settledByWindow = new Map<Window, Settled>();

  summary(input: { window: Window }): WatchtowerSummary {
    const shape = SHAPE[input.window];
    const nowMs = this.now().getTime();
    const currentBucket = Math.floor(nowMs / shape.bucketMs) * shape.bucketMs;
    const firstBucket = currentBucket - (shape.buckets - 1) * shape.bucketMs;
    // Exclusive upper bound one past now: a run stamped this millisecond counts.
    const range: Range = [firstBucket, nowMs + 1];

    const settled = this.settled(input.window, firstBucket, currentBucket, shape.bucketMs);
    const live = this.totals(currentBucket, range[1], shape.bucketMs);
    const series = [...settled.series, ...live.series].map((b, i) => ({ start: new Date(firstBucket + i * shape.bucketMs).toISOString(), ...b }));
    const allowed = series.reduce((sum, b) => sum + b.allowed, 0);
    const denied = series.reduce((sum, b) => sum + b.denied, 0);
    const total = allowed + denied;
    const hours = Math.max((range[1] - range[0]) / HOUR, 1 / 60);

    const perScore = settled.perScore.map((n, score) => n + live.perScore[score]!);
    const scoreSum = perScore.reduce((sum, n, score) => sum + n * score, 0);
    const histogram = Array.from({ length: 10 }, (_, b) => ({
      from: b * 10,
      to: b === 9 ? MAX_SCORE : b * 10 + 9,
      count: perScore.slice(b * 10, b === 9 ? MAX_SCORE + 1 : b * 10 + 10).reduce((s, n) => s + n, 0),
    }));

    return {
      window: input.window,
      from: new Date(range[0]).toISOString(),
      to: new Date(nowMs).toISOString(),
      bucket: shape.bucket,
      runs: { total, allowed, denied, allowRate: total === 0 ? null : allowed / total, perHour: total / hours },
      quarantinedActive: this.stmt.quarantined.get()!.n,
      pendingInbox: this.stmt.pendingInbox.get(nowMs)!.n,
      inboxAvailable: true,
      threat: { average: total === 0 ? null : scoreSum / total, histogram },
      series,
      topDeniedRules: this.topDeniedRules(settled.rules.map((n, i) => n + live.rules[i]!)),
      riskyModules: this.riskyModules(perScore, range),
      audit: this.auditStatus(),
    };
  }

  /**
   * The newest decisions, newest first: all of them (up to FEED_LIMIT) or only those after the
   * cursor (started_at, id), which is the newest item the caller already has.
   */
  feed(cursor: { afterStartedAt?: Date; afterId?: string } = {}): FeedItem[] {
    const rows =
      cursor.afterStartedAt === undefined
        ? this.stmt.feedNewest.all(FEED_LIMIT)
        : this.stmt.feedAfter.all(cursor.afterStartedAt.getTime(), cursor.afterId ?? '', FEED_LIMIT);
    return rows.map((r) => ({
      id: r.id,
      moduleName: r.module_name,
      moduleVersion: r.module_version,
      startedAt: new Date(r.started_at).toISOString(),
      decision: r.decision,
      outcome: r.outcome,
      threatScore: r.threat_score,
    }));
  }

  auditStatus(): AuditStatus {
    const head = this.audit.head();
    const cp = this.audit.latestCheckpoint();
    const verified = this.stmt.lastVerified.get();
    return {
      headSeq: head.seq,
      headHash: head.hash,
      checkpoint: cp ? { seq: cp.seq, time: cp.time } : null,
      lastVerification: verified ? { seq: verified.seq, time: verified.time, actor: verified.actor, ...verificationResult(verified.payload) } : null,
    };
  }

  private count(decision: 'allow' | 'deny', from: number, to: number): number {
    return this.stmt.byDecision.get(decision, from, to)!.n;
  }

  /** Index range counts over [from, to) in buckets of bucketMs (the last one may be partial). */
  private totals(from: number, to: number, bucketMs: number): Totals {
    const series: Totals['series'] = [];
    for (let b = from; b < to; b += bucketMs) {
      const end = Math.min(b + bucketMs, to);
      series.push({ allowed: this.count('allow', b, end), denied: this.count('deny', b, end) });
    }
    return {
      series,
      perScore: Array.from({ length: MAX_SCORE + 1 }, (_, score) => (from < to ? this.stmt.byScore.get(score, from, to)!.n : 0)),
      // The rule list is closed (policy schema), so this stays ~20 seeks.
      rules: RULES.map((r) => (from < to ? this.stmt.ruleCount.get(r.rule, from, to)!.n : 0)),
    };
  }

  /** Totals of [from, end), from the kept copy unless the window moved or a run arrived late. */
  private settled(window: Window, from: number, end: number, bucketMs: number): Totals {
    const key = `${from}:${end}`;
    const newest = this.stmt.maxRowid.get()?.n ?? 0;
    const kept = this.settledByWindow.get(window);
    if (kept && kept.key === key) {
      if (kept.watermark === newest) return kept.totals;
      if (this.stmt.lateSince.get(kept.watermark, end) === undefined) {
        kept.watermark = newest; // the runs since then all started in the live bucket
        return kept.totals;
      }
    }
    // `newest` was read first: a run inserted while counting is checked again on the next call.
    const totals = this.totals(from, end, bucketMs);
    this.settledByWindow.set(window, { key, watermark: newest, totals });
    return totals;
  }

  private topDeniedRules(counts: readonly number[]): WatchtowerSummary['topDeniedRules'] {
    return RULES.map((r, i) => ({ ...r, count: counts[i]! }))
      .filter((r) => r.count > 0)
      .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule))
      .slice(0, TOP);
  }

  /** Walks scores from the top; the first TOP distinct modules met are those with the highest maximum. */
  private riskyModules(perScore: readonly number[], range: Range): WatchtowerSummary['riskyModules'] {
    const found = new Map<string, number>();
    for (let score = MAX_SCORE; score >= 0 && found.size < TOP; score--) {
      if (perScore[score] === 0) continue;
      // Enough rows to find the missing ones even if every module already found appears again.
      for (const { name } of this.stmt.modulesAtScore.all(score, ...range, TOP + found.size)) {
        if (!found.has(name) && found.size < TOP) found.set(name, score);
      }
    }
    return [...found].map(([name, maxScore]) => ({ name, maxScore, runs: this.stmt.moduleRuns.get(name, ...range)!.n }));
  }
}

/** Reads the verification outcome defensively: the payload is whatever the verifier recorded. */
function verificationResult(payload: string): { ok: boolean | null; events: number | null; code: string | null } {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return { ok: null, events: null, code: null };
  }
  const p = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return {
    ok: typeof p.ok === 'boolean' ? p.ok : null,
    events: typeof p.events === 'number' ? p.events : null,
    code: typeof p.code === 'string' ? p.code : null,
  };
}

const cache = new WeakMap<object, WatchtowerService>();

/** One service (and its prepared statements) per Services instance. */
export function watchtowerOf(services: { handle: { sqlite: Database.Database }; audit: AuditLog }, now: () => Date = () => new Date()): WatchtowerService {
  let s = cache.get(services);
  if (!s) cache.set(services, (s = new WatchtowerService(services.handle.sqlite, services.audit, now)));
  return s;
}
