/**
 * The period a compliance report covers: [from, to), in UTC. Audit event times are fixed-width ISO
 * strings (formatEventTime), so the bounds are turned into the same text and compared as text.
 */
import { err, ok, type Result } from '../result';

export interface ReportPeriod {
  /** inclusive, ISO 8601 UTC with milliseconds (the audit log's time format) */
  readonly from: string;
  /** exclusive */
  readonly to: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// A full time must say it is UTC (Z or an offset): a report's bounds are never local guesses.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseBound(name: string, text: string): Result<string, 'INVALID_PERIOD'> {
  const t = text.trim();
  if (!DATE_ONLY.test(t) && !DATE_TIME.test(t)) {
    return err('INVALID_PERIOD', `--${name} "${text}" is not a date (2026-11-01) or a UTC time (2026-11-01T00:00:00Z)`);
  }
  const date = new Date(DATE_ONLY.test(t) ? `${t}T00:00:00.000Z` : t);
  const iso = Number.isFinite(date.getTime()) ? date.toISOString() : '';
  // toISOString rolls over impossible days (2026-02-30 → March); refuse them instead.
  if (iso.length !== 24 || (DATE_ONLY.test(t) && iso.slice(0, 10) !== t)) {
    return err('INVALID_PERIOD', `--${name} "${text}" is not a real date`);
  }
  return ok(iso);
}

/** A date alone means midnight UTC of that day; `to` is exclusive, so --to 2026-12-01 covers all of November. */
export function parsePeriod(from: string, to: string): Result<ReportPeriod, 'INVALID_PERIOD'> {
  const f = parseBound('from', from);
  if (!f.ok) return f;
  const t = parseBound('to', to);
  if (!t.ok) return t;
  if (f.value >= t.value) return err('INVALID_PERIOD', `--from (${f.value}) must be before --to (${t.value})`);
  return ok({ from: f.value, to: t.value });
}
