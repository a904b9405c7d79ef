/**
 * The long-running audit operations the console streams: chain verification with progress lines,
 * and export in pages. No HTTP here (see server/api/audit-http.ts): plain functions over the
 * AuditLog so they can be tested directly.
 */
import type { ChainFailureCode } from '../core/audit/chain';
import { CSV_COLUMNS, eventToCsvRow, eventToJsonLine, type ExportFormat } from '../core/audit/export';
import type { AuditFilter } from '../core/audit/query';
import { err, ok, type Result } from '../core/result';
import type { OperatorKey } from './server-keys';
import type { AuditLog } from './audit-log';

/** One NDJSON line of the verify stream. */
export type VerifyLine =
  | { readonly type: 'start'; readonly total: number }
  | { readonly type: 'progress'; readonly events: number; readonly total: number }
  | VerifyResultLine;

export type VerifyResultLine =
  | {
      readonly type: 'result';
      readonly ok: true;
      readonly events: number;
      readonly checkpoints: number;
      readonly headSeq: number;
      /** events after the last signed checkpoint */
      readonly uncheckpointed: number;
      /** false when the 'audit.verified' event could not be appended */
      readonly recorded: boolean;
    }
  | {
      readonly type: 'result';
      readonly ok: false;
      readonly code: ChainFailureCode;
      readonly seq: number;
      readonly message: string;
      readonly events: number;
      readonly recorded: boolean;
    };

/** Progress lines are emitted about this often (in events). */
export const VERIFY_PROGRESS_EVERY = 50_000;

/**
 * Re-verifies the whole chain, emitting a progress line about every `every` events, then records
 * the outcome as an 'audit.verified' event (the Watchtower's "chain status" reads the latest one)
 * and returns the result line (also emitted). The CLI and the console both verify through here.
 * It pauses between steps (AuditLog.verifyAsync), so each progress line leaves while the check
 * goes on and the server keeps answering other requests.
 */
export async function verifyWithProgress(
  audit: AuditLog,
  actor: string,
  emit: (line: VerifyLine) => void,
  every: number = VERIFY_PROGRESS_EVERY,
  /** former server keys the operator vouches for (`audit verify --former-key`), recorded with the result */
  formerKeys: readonly OperatorKey[] = [],
): Promise<VerifyResultLine> {
  const total = audit.head().seq;
  let reported = 0;
  const report = await audit.verifyAsync(
    (events) => {
      if (events - reported >= every) {
        reported = events;
        emit({ type: 'progress', events, total });
      }
    },
    undefined,
    formerKeys,
  );
  const given = formerKeys.length > 0 ? { formerKeys: formerKeys.map((k) => ({ keyid: k.keyid, fromSeq: k.fromSeq ?? 1, untilSeq: k.untilSeq ?? null })) } : {};
  const payload = report.ok
    ? { ok: true, events: report.events, checkpoints: report.checkpoints, uncheckpointed: report.uncheckpointed, ...given }
    : { ok: false, events: report.events, code: report.code, seq: report.seq, ...given };
  let recorded = true;
  try {
    audit.append({ actor, action: 'audit.verified', subject: 'audit', payload });
  } catch {
    recorded = false; // the result is still true; the page says it was not recorded
  }
  const line: VerifyResultLine = report.ok
    ? { type: 'result', ok: true, events: report.events, checkpoints: report.checkpoints, headSeq: report.headSeq, uncheckpointed: report.uncheckpointed, recorded }
    : { type: 'result', ok: false, code: report.code, seq: report.seq, message: report.message, events: report.events, recorded };
  emit(line);
  return line;
}

interface RunningVerification {
  readonly total: number;
  readonly listeners: Set<(line: VerifyLine) => void>;
  /** the newest line, so a caller who joins late sees where the pass is */
  last: VerifyLine | undefined;
  done?: Promise<VerifyResultLine>;
}

/** One verification at a time per log; callers who arrive meanwhile join it instead of being refused. */
const running = new WeakMap<AuditLog, RunningVerification>();

/**
 * The console's verify: if a verification of this log is already running, the caller joins it
 * (gets its start line, the latest progress, then every later line and the same result) instead
 * of starting another full pass. So a burst of requests costs one pass and writes one
 * 'audit.verified' event, and nobody is locked out by someone else's verification.
 */
export function verifyShared(audit: AuditLog, actor: string, emit: (line: VerifyLine) => void, every?: number): Promise<VerifyResultLine> {
  let state = running.get(audit);
  const fresh = state?.done === undefined;
  // Set up before the pass starts: a short log is verified synchronously inside the call below.
  state ??= { total: audit.head().seq, listeners: new Set(), last: undefined };
  const current = state;
  const listener = (line: VerifyLine) => {
    try {
      emit(line);
    } catch {
      current.listeners.delete(listener); // a caller who went away must not stop the pass for the others
    }
  };
  current.listeners.add(listener);
  listener({ type: 'start', total: current.total });
  if (!fresh) {
    if (current.last?.type === 'progress') listener(current.last);
    return current.done!;
  }
  running.set(audit, current);
  const broadcast = (line: VerifyLine) => {
    current.last = line;
    for (const l of current.listeners) l(line);
  };
  current.done = verifyWithProgress(audit, actor, broadcast, every).finally(() => running.delete(audit));
  return current.done;
}

export interface ExportRequest {
  readonly format: ExportFormat;
  readonly filter: Pick<AuditFilter, 'action' | 'actor' | 'subject'>;
}

/** Reads ?format=jsonl|csv&action=&actor=&subject= (empty values mean "no filter"). */
export function parseExportQuery(params: URLSearchParams): Result<ExportRequest, 'INVALID_QUERY'> {
  const format = params.get('format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') return err('INVALID_QUERY', `format must be jsonl or csv, not "${format}"`);
  const filter: { action?: string; actor?: string; subject?: string } = {};
  for (const name of ['action', 'actor', 'subject'] as const) {
    const value = params.get(name);
    if (value) filter[name] = value;
  }
  return ok({ format, filter });
}

export const EXPORT_PAGE_EVENTS = 500;

/**
 * The export as text chunks, one page of events per chunk, oldest first. Paging with a keyset
 * cursor (instead of one AuditLog.exportTo pass) keeps memory constant and lets a slow download
 * apply back-pressure. The export stops at the head seen when it started, so it is one
 * consistent prefix of the chain. Returns the number of events; a bad filter is an error before
 * anything is produced.
 */
export function exportChunks(
  audit: AuditLog,
  request: ExportRequest,
  pageSize: number = EXPORT_PAGE_EVENTS,
): Result<{ chunks: Generator<string, void, undefined>; exported: () => number }, 'INVALID_QUERY'> {
  const stopBefore = audit.head().seq + 1;
  const first = audit.page({ ...request.filter, afterSeq: 0, beforeSeq: stopBefore, limit: pageSize });
  if (!first.ok) return first;
  const firstPage = first.value;
  let events = 0;
  const line = request.format === 'csv' ? eventToCsvRow : eventToJsonLine;
  function* chunks(): Generator<string, void, undefined> {
    if (request.format === 'csv') yield CSV_COLUMNS.join(',') + '\r\n';
    let page = firstPage;
    for (;;) {
      if (page.events.length > 0) {
        events += page.events.length;
        yield page.events.map(line).join('');
      }
      if (!page.more) return;
      const next = audit.page({ ...request.filter, afterSeq: page.events[page.events.length - 1]!.seq, beforeSeq: stopBefore, limit: pageSize });
      if (!next.ok) throw new Error(next.message); // the same filter was valid a moment ago
      page = next.value;
    }
  }
  return ok({ chunks: chunks(), exported: () => events });
}

export interface ExportRecord {
  readonly format: ExportFormat;
  /** where the events went: 'download', 'stdout' or a file path */
  readonly to: string;
  readonly events: number;
  /** false when the receiver stopped before the end: a partial export still left the system */
  readonly complete: boolean;
  readonly filter: ExportRequest['filter'];
}

/** The one 'audit.exported' event, for the CLI and the console alike. */
export function recordExport(audit: AuditLog, actor: string, record: ExportRecord): void {
  audit.append({ actor, action: 'audit.exported', subject: 'audit', payload: { ...record, filter: { ...record.filter } } });
}

/**
 * Writes the export to a sink that may be slow (a file, standard output), awaiting each chunk,
 * and records it: complete when every chunk was written, incomplete (and the error rethrown)
 * when the sink failed part-way.
 */
export async function exportToSink(
  audit: AuditLog,
  request: ExportRequest,
  actor: string,
  to: string,
  write: (chunk: string) => void | Promise<void>,
): Promise<Result<{ events: number }, 'INVALID_QUERY'>> {
  const started = exportChunks(audit, request);
  if (!started.ok) return started;
  const { chunks, exported } = started.value;
  const record = (complete: boolean) => recordExport(audit, actor, { format: request.format, to, events: exported(), complete, filter: request.filter });
  try {
    for (const chunk of chunks) await write(chunk);
  } catch (e) {
    record(false);
    throw e;
  }
  record(true);
  return ok({ events: exported() });
}
