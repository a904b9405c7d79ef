/**
 * Export formats for audit events, produced lazily (one string per event) so an export of any size
 * streams in constant memory.
 *
 * - JSON Lines: one event object per line, the payload embedded as its JSON value. It is the
 *   faithful format: parse a line and canonicalize(payload) gives back the stored text, so an
 *   outside tool can re-verify the chain.
 * - CSV (RFC 4180): for spreadsheets. Cells that a spreadsheet would run as a formula are prefixed
 *   with a single quote (OWASP CSV injection guidance), which changes them: CSV is for reading, not
 *   for re-verification.
 */
import type { AuditEvent } from './event';

export type ExportFormat = 'jsonl' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'csv'];

/** One line (with its trailing "\n"). The payload is canonical JSON text and is embedded verbatim. */
export function eventToJsonLine(e: AuditEvent): string {
  return (
    '{"seq":' +
    String(e.seq) +
    ',"time":' +
    JSON.stringify(e.time) +
    ',"actor":' +
    JSON.stringify(e.actor) +
    ',"action":' +
    JSON.stringify(e.action) +
    ',"subject":' +
    JSON.stringify(e.subject) +
    ',"payload":' +
    e.payload +
    ',"prevHash":' +
    JSON.stringify(e.prevHash) +
    ',"hash":' +
    JSON.stringify(e.hash) +
    '}\n'
  );
}

export function* toJsonLines(events: Iterable<AuditEvent>): Generator<string, void, undefined> {
  for (const e of events) yield eventToJsonLine(e);
}

export const CSV_COLUMNS = ['seq', 'time', 'actor', 'action', 'subject', 'payload', 'prev_hash', 'hash'] as const;

/** Characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 cell: formula guard first, then quote if the cell holds a quote, comma or line break. */
export function csvCell(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** RFC 4180 asks for CRLF between records. */
export function eventToCsvRow(e: AuditEvent): string {
  return (
    [String(e.seq), e.time, e.actor, e.action, e.subject, e.payload, e.prevHash, e.hash].map(csvCell).join(',') + '\r\n'
  );
}

export function* toCsv(events: Iterable<AuditEvent>): Generator<string, void, undefined> {
  yield CSV_COLUMNS.join(',') + '\r\n';
  for (const e of events) yield eventToCsvRow(e);
}

export function formatEvents(format: ExportFormat, events: Iterable<AuditEvent>): Generator<string, void, undefined> {
  return format === 'csv' ? toCsv(events) : toJsonLines(events);
}
