/**
 * The figures of a compliance report, computed in one pass over the audit events of the period.
 * The log is authoritative: everything here comes from events, never from tables that could be
 * edited behind the chain. Events are classified by their action's domain, so kinds added later
 * (policy approvals, sink changes, ...) land in the right section without a change here.
 */
import type { AuditEvent } from '../audit/event';

/** Rows listed per section; the counts stay exact beyond it (a report stays printable). */
export const MAX_LISTED = 500;

export interface ReportRow {
  readonly seq: number;
  readonly time: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  /** A short account of the payload: plain text, escaped when rendered. */
  readonly detail: string;
}

export interface RowList {
  readonly total: number;
  readonly rows: readonly ReportRow[];
}

export interface RunFigures {
  readonly total: number;
  readonly allow: number;
  readonly deny: number;
  /** by outcome kind; `not_run` when pre-exec denied and nothing executed */
  readonly byOutcome: Readonly<Record<string, number>>;
  /** "allow ok", "deny trap", "deny not_run", ... */
  readonly byDecisionAndOutcome: Readonly<Record<string, number>>;
  /** each denied run counts once for every rule that failed in it */
  readonly denialsByRule: Readonly<Record<string, number>>;
  /** runs cut short by a restart (run.interrupted) */
  readonly interrupted: number;
}

export interface ReportFacts {
  readonly events: number;
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
  /** every action seen in the period with its count, so nothing is silently left out */
  readonly actions: Readonly<Record<string, number>>;
  readonly runs: RunFigures;
  readonly quarantines: RowList;
  readonly releases: RowList;
  readonly keyChanges: RowList;
  readonly policyChanges: RowList;
  readonly accessChanges: RowList;
  readonly approvals: RowList;
  readonly monitoring: RowList;
  readonly signIns: { readonly succeeded: number; readonly failed: number };
}

type Section = 'quarantines' | 'releases' | 'keyChanges' | 'policyChanges' | 'accessChanges' | 'approvals' | 'monitoring';

/** Which section an action belongs to; undefined: counted in `actions` (and runs) only. */
export function sectionOf(action: string): Section | undefined {
  if (action === 'module.quarantined') return 'quarantines';
  if (action === 'module.released') return 'releases';
  if (action.startsWith('key.') || action.startsWith('server.key') || action === 'approval.key_registered') return 'keyChanges';
  if (action.startsWith('policy.')) return 'policyChanges';
  if (action.startsWith('user.') || action.startsWith('agent.') || action === 'auth.sessions_revoked' || action.startsWith('role.')) return 'accessChanges';
  if (action.startsWith('submission.') || action.startsWith('approval.')) return 'approvals';
  if (['audit.', 'sandbox.', 'report.', 'witness.', 'sink.', 'config.'].some((p) => action.startsWith(p))) return 'monitoring';
  return undefined;
}

type Payload = Record<string, unknown>;

function parsePayload(text: string): Payload {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Payload) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

/** Names whoever a payload says approved a change (fields future policy and key events may carry). */
function approvers(p: Payload): string | undefined {
  for (const field of ['approvedBy', 'approvers', 'approver']) {
    const v = p[field];
    if (typeof v === 'string' && v) return v;
    if (Array.isArray(v)) {
      const names = v.map((x) => (typeof x === 'string' ? x : x && typeof x === 'object' ? str((x as Payload).approver ?? (x as Payload).user ?? (x as Payload).keyid) : undefined)).filter(Boolean);
      if (names.length) return names.join(', ');
    }
  }
  return undefined;
}

const MAX_DETAIL = 300;

/** A one-line account of an event's payload, from the fields people ask about; anything else as compact JSON. */
export function detailOf(action: string, payloadText: string): string {
  const p = parsePayload(payloadText);
  const parts: string[] = [];
  const add = (label: string, v: unknown) => {
    const s = str(v);
    if (s !== undefined && s !== '') parts.push(`${label}: ${s}`);
  };
  switch (action) {
    case 'module.quarantined':
      add('source', p.source);
      add('reason', p.reason);
      add('run', p.runId);
      add('sha256', p.wasmSha256);
      break;
    case 'module.released':
      add('reason', p.reason);
      add('sha256', p.wasmSha256);
      break;
    case 'key.added':
      add('name', p.name);
      add('role', p.role);
      break;
    case 'key.revoked':
      add('name', p.name);
      add('reason', p.reason);
      add('revoked at', p.revokedAt);
      break;
    case 'policy.loaded':
      add('name', p.name);
      add('revision', p.revision);
      add('sha256', p.sha256);
      break;
    case 'user.role_changed':
      add('from', p.from);
      add('to', p.to);
      break;
    default:
      break;
  }
  const who = approvers(p);
  if (who) parts.push(`approved by: ${who}`);
  if (parts.length === 0 && payloadText !== '{}') parts.push(payloadText);
  const text = parts.join('; ');
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

interface DecidedRun {
  decision?: unknown;
  execution?: { outcome?: { kind?: unknown } } | null;
  pre?: { rules?: { id?: unknown; outcome?: unknown }[] } | null;
  post?: { rules?: { id?: unknown; outcome?: unknown }[] } | null;
}

const bump = (m: Record<string, number>, key: string, by = 1) => {
  m[key] = (m[key] ?? 0) + by;
};

/** Feeds events in seq order; `facts()` at the end. Memory stays bounded by MAX_LISTED rows per section. */
export class ReportTally {
  private events = 0;
  private firstSeq: number | null = null;
  private lastSeq: number | null = null;
  private readonly actions: Record<string, number> = {};
  private readonly runs = { total: 0, allow: 0, deny: 0, interrupted: 0 };
  private readonly byOutcome: Record<string, number> = {};
  private readonly byDecisionAndOutcome: Record<string, number> = {};
  private readonly denialsByRule: Record<string, number> = {};
  private readonly signIns = { succeeded: 0, failed: 0 };
  private readonly lists: Record<Section, { total: number; rows: ReportRow[] }> = {
    quarantines: { total: 0, rows: [] },
    releases: { total: 0, rows: [] },
    keyChanges: { total: 0, rows: [] },
    policyChanges: { total: 0, rows: [] },
    accessChanges: { total: 0, rows: [] },
    approvals: { total: 0, rows: [] },
    monitoring: { total: 0, rows: [] },
  };

  add(event: AuditEvent): void {
    this.events++;
    this.firstSeq ??= event.seq;
    this.lastSeq = event.seq;
    bump(this.actions, event.action);
    if (event.action === 'run.decided') this.addRun(parsePayload(event.payload) as DecidedRun);
    else if (event.action === 'run.interrupted') this.runs.interrupted++;
    else if (event.action === 'auth.login') this.signIns.succeeded++;
    else if (event.action === 'auth.login_failed') this.signIns.failed++;
    const section = sectionOf(event.action);
    if (!section) return;
    const list = this.lists[section];
    list.total++;
    if (list.rows.length < MAX_LISTED) {
      list.rows.push({ seq: event.seq, time: event.time, actor: event.actor, action: event.action, subject: event.subject, detail: detailOf(event.action, event.payload) });
    }
  }

  private addRun(record: DecidedRun): void {
    this.runs.total++;
    const decision = record.decision === 'allow' ? 'allow' : 'deny'; // anything but an explicit allow is a deny
    this.runs[decision]++;
    const kind = record.execution ? (str(record.execution.outcome?.kind) ?? 'unknown') : 'not_run';
    bump(this.byOutcome, kind);
    bump(this.byDecisionAndOutcome, `${decision} ${kind}`);
    if (decision !== 'deny') return;
    const failed = new Set<string>();
    for (const verdict of [record.pre, record.post]) {
      for (const rule of verdict?.rules ?? []) if (rule.outcome === 'fail' && typeof rule.id === 'string') failed.add(rule.id);
    }
    if (failed.size === 0) failed.add('(no rule named)');
    for (const id of failed) bump(this.denialsByRule, id);
  }

  facts(): ReportFacts {
    const { total, allow, deny, interrupted } = this.runs;
    const lists: Record<Section, RowList> = this.lists;
    return {
      events: this.events,
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
      actions: { ...this.actions },
      runs: { total, allow, deny, interrupted, byOutcome: { ...this.byOutcome }, byDecisionAndOutcome: { ...this.byDecisionAndOutcome }, denialsByRule: { ...this.denialsByRule } },
      ...lists,
      signIns: { ...this.signIns },
    };
  }
}
