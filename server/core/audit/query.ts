/**
 * Validation of audit listing and export filters. Listings come from the console and the CLI, so a
 * bad cursor or an unknown action gets a clear error instead of an empty page that looks like
 * "nothing happened".
 */
import { ok, err, type Result } from '../result';
import { isAuditAction, MAX_ACTOR_LENGTH, MAX_SUBJECT_LENGTH, type AuditAction, type AuditEvent } from './event';

export interface AuditFilter {
  readonly action?: string;
  readonly actor?: string;
  readonly subject?: string;
  /** only events with seq > afterSeq (listing ascending) */
  readonly afterSeq?: number;
  /** only events with seq < beforeSeq */
  readonly beforeSeq?: number;
  /** never events with seq <= floorSeq: set by the server (the reading window of a role), not by callers */
  readonly floorSeq?: number;
}

export interface AuditPageQuery extends AuditFilter {
  /** 1..MAX_PAGE_LIMIT, default DEFAULT_PAGE_LIMIT */
  readonly limit?: number;
}

export interface AuditPage {
  readonly events: AuditEvent[];
  /** true when more events match beyond this page */
  readonly more: boolean;
}

export interface NormalizedFilter {
  readonly action?: AuditAction;
  readonly actor?: string;
  readonly subject?: string;
  readonly afterSeq?: number;
  readonly beforeSeq?: number;
  readonly floorSeq?: number;
  /** listing order: ascending when paging forward from afterSeq, newest first otherwise */
  readonly ascending: boolean;
  readonly limit: number;
}

export type QueryCode = 'INVALID_QUERY';

/**
 * Reading the log without the export permission is limited to the newest events: on-call staff
 * need what just happened, and reading the whole history is an export (which is permitted
 * separately and audited as one).
 */
export const RECENT_EVENTS_WITHOUT_EXPORT = 10_000;

/** The seq at or below which a reader may not go: 0 (nothing hidden) for those who may export. */
export function readingFloor(headSeq: number, mayExport: boolean): number {
  return mayExport ? 0 : Math.max(0, headSeq - RECENT_EVENTS_WITHOUT_EXPORT);
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

function seqBound(name: string, value: unknown, issues: string[]): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    issues.push(`${name} must be a non-negative integer`);
    return undefined;
  }
  return value;
}

function text(name: string, value: unknown, max: number, issues: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    issues.push(`${name} must be a string of 1 to ${max} characters`);
    return undefined;
  }
  return value;
}

/** Checks every field and reports all problems at once. */
export function normalizeFilter(query: AuditPageQuery): Result<NormalizedFilter, QueryCode> {
  const issues: string[] = [];
  const afterSeq = seqBound('afterSeq', query.afterSeq, issues);
  const beforeSeq = seqBound('beforeSeq', query.beforeSeq, issues);
  const floorSeq = seqBound('floorSeq', query.floorSeq, issues);
  const actor = text('actor', query.actor, MAX_ACTOR_LENGTH, issues);
  const subject = text('subject', query.subject, MAX_SUBJECT_LENGTH, issues);
  let action: AuditAction | undefined;
  if (query.action !== undefined) {
    if (isAuditAction(query.action)) action = query.action;
    else issues.push(`action ${JSON.stringify(String(query.action))} is not a known audit action`);
  }
  let limit = DEFAULT_PAGE_LIMIT;
  if (query.limit !== undefined) {
    if (typeof query.limit !== 'number' || !Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > MAX_PAGE_LIMIT) {
      issues.push(`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
    } else limit = query.limit;
  }
  if (issues.length > 0) return err('INVALID_QUERY', `invalid audit query: ${issues.join('; ')}`, issues);
  return ok({ action, actor, subject, afterSeq, beforeSeq, floorSeq, ascending: afterSeq !== undefined, limit });
}
