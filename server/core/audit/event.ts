/**
 * Audit event types and the closed list of actions. An event is built once, hashed once and then
 * only ever read: the stored payload is canonical JSON text so the chain can be re-hashed without
 * parsing or re-serialising anything.
 */
import { ok, err, type Result } from '../result';
import { canonicalPayload, type JsonValue, type PayloadCode } from './canonical-payload';

export type { JsonValue } from './canonical-payload';

/**
 * Every action the log knows, grouped by domain. To add one, append it to its group (or add a
 * group): the flat list and the type follow. Anything not listed is refused at append time, so a
 * typo cannot create an action that no filter or report knows about.
 */
export const AUDIT_ACTION_GROUPS = {
  key: ['key.added', 'key.revoked'],
  module: ['module.imported', 'module.rejected', 'module.quarantined', 'module.released'],
  user: ['user.created', 'user.disabled', 'user.role_changed', 'user.password_changed', 'user.unlocked'],
  auth: ['auth.login', 'auth.login_failed', 'auth.logout', 'auth.sessions_revoked'],
  run: ['run.started', 'run.decided', 'run.replayed', 'run.interrupted'],
  sandbox: ['sandbox.kill_switch'],
  policy: ['policy.loaded', 'policy.revised', 'policy.proposed', 'policy.proposal_rejected', 'policy.proposal_stale', 'policy.proposal_expired'],
  audit: ['audit.exported', 'audit.verified'],
  report: ['report.generated'],
  server: ['server.key_created', 'server.key_rotated'],
  data: ['data.migrated', 'data.backed_up', 'data.restored'],
  agent: ['agent.created', 'agent.revoked'],
  submission: ['submission.received', 'submission.approved', 'submission.rejected', 'submission.expired', 'submission.withdrawn'],
  approval: ['approval.recorded', 'approval.refused', 'approval.key_registered'],
  license: ['license.installed', 'license.refused'],
  delivery: ['delivery.destination_added', 'delivery.destination_changed', 'delivery.destination_disabled'],
} as const;

type Groups = typeof AUDIT_ACTION_GROUPS;
export type AuditAction = Groups[keyof Groups][number];

export const AUDIT_ACTIONS: readonly AuditAction[] = Object.values(AUDIT_ACTION_GROUPS).flat();
const ACTION_SET: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

export const isAuditAction = (value: unknown): value is AuditAction => typeof value === 'string' && ACTION_SET.has(value);

/** The `prev` of event 1: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a caller hands to the log. */
export interface AuditEventInput {
  readonly actor: string;
  readonly action: AuditAction;
  readonly subject: string;
  readonly payload: JsonValue;
}

/** One stored event. `payload` is canonical (RFC 8785) JSON text. */
export interface AuditEvent {
  readonly seq: number;
  /** ISO 8601, UTC, millisecond precision, e.g. 2025-01-02T03:04:05.678Z */
  readonly time: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly payload: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** An input after validation, ready to be given a seq, time and hash inside the write transaction. */
export interface PreparedInput {
  readonly actor: string;
  readonly action: AuditAction;
  readonly subject: string;
  readonly payload: string;
}

export type AuditInputCode = 'INVALID_ACTOR' | 'INVALID_ACTION' | 'INVALID_SUBJECT' | PayloadCode;

export const MAX_ACTOR_LENGTH = 256;
export const MAX_SUBJECT_LENGTH = 1024;

/**
 * Lone surrogates cannot be stored as UTF-8 (SQLite would change them) and RFC 8785 forbids them.
 * `String.prototype.isWellFormed` (ES2024, Node 20) is a native scan: it runs twice per event.
 */
const isWellFormed = (value: string): boolean => (value as string & { isWellFormed(): boolean }).isWellFormed();

function checkName(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > max) return `must be at most ${max} characters`;
  if (!isWellFormed(value)) return 'must be well-formed Unicode (no lone surrogates)';
  return undefined;
}

/** Validates an input and canonicalises its payload. Collects every problem, not just the first. */
export function prepareInput(input: AuditEventInput): Result<PreparedInput, AuditInputCode> {
  const actorProblem = checkName(input.actor, MAX_ACTOR_LENGTH);
  const actionOk = isAuditAction(input.action);
  const subjectProblem = checkName(input.subject, MAX_SUBJECT_LENGTH);
  const payload = canonicalPayload(input.payload);
  if (actorProblem === undefined && actionOk && subjectProblem === undefined && payload.ok) {
    return ok({ actor: input.actor, action: input.action, subject: input.subject, payload: payload.value });
  }
  // The rare path: collect every problem (no closure or list is made for the valid events above).
  const issues: string[] = [];
  let code: AuditInputCode | undefined;
  const note = (c: AuditInputCode, message: string) => {
    code ??= c;
    issues.push(message);
  };
  if (actorProblem) note('INVALID_ACTOR', `actor ${actorProblem}`);
  if (!actionOk) note('INVALID_ACTION', `action ${JSON.stringify(String(input.action))} is not a known audit action`);
  if (subjectProblem) note('INVALID_SUBJECT', `subject ${subjectProblem}`);
  if (!payload.ok) note(payload.code, payload.message);
  return err(code ?? 'PAYLOAD_NOT_JSON', `invalid audit event: ${issues.join('; ')}`, issues);
}

/** ISO 8601 UTC with milliseconds; refuses an invalid clock reading instead of logging "Invalid Date". */
export function formatEventTime(date: Date): Result<string, 'INVALID_TIME'> {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return err('INVALID_TIME', 'the clock returned an invalid date');
  const iso = date.toISOString();
  // Years outside 0000-9999 get a sign and six digits; they would not sort as text.
  if (iso.length !== 24) return err('INVALID_TIME', `the clock returned an out-of-range date (${iso})`);
  return ok(iso);
}

/** The port the rest of the core writes through; the SQLite AuditLog service implements it. */
export interface AuditSink {
  append(input: AuditEventInput): AuditEvent;
}
