/**
 * RFC 5424 syslog messages for audit events, framed for TCP by octet counting (RFC 6587 §3.4.1:
 * "<byte length> <message>"), which survives newlines inside a message where LF framing does not.
 *
 *   <PRI>1 TIMESTAMP HOSTNAME nightcore - ACTION [nightcore@32473 seq=".." hash=".." ...] BOM{event JSON}
 *
 * The structured data carries seq and hash so a collector can check completeness without parsing
 * the message. 32473 is the private enterprise number RFC 5612 reserves for documentation; an
 * installation with its own PEN can change SD_ID below.
 */
import type { AuditEvent } from '../audit/event';
import { eventToJsonLine } from '../audit/export';

export const SD_ID = 'nightcore@32473';
/** facility 13: "log audit" (RFC 5424 table 1) */
const FACILITY = 13;
const SEVERITY_NOTICE = 5;
const SEVERITY_WARNING = 4;
const BOM = '\uFEFF';

/** Actions worth a warning: something was refused, quarantined or forced. */
const WARNING_ACTIONS: ReadonlySet<string> = new Set([
  'module.rejected', 'module.quarantined', 'auth.login_failed', 'sandbox.kill_switch', 'submission.rejected', 'approval.refused', 'run.interrupted',
]);

function severity(e: AuditEvent): number {
  if (WARNING_ACTIONS.has(e.action)) return SEVERITY_WARNING;
  if (e.action === 'run.decided' && /"decision":"deny"/.test(e.payload)) return SEVERITY_WARNING;
  return SEVERITY_NOTICE;
}

/** RFC 5424 §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with a backslash. */
export const sdEscape = (value: string): string => value.replace(/["\\\]]/g, (c) => `\\${c}`);

/** HOSTNAME, APP-NAME and MSGID are PRINTUSASCII without spaces, bounded; anything else becomes "-"-safe. */
function header(value: string, max: number): string {
  const cleaned = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return cleaned === '' ? '-' : cleaned;
}

export function syslogMessage(e: AuditEvent, hostname: string): string {
  const pri = FACILITY * 8 + severity(e);
  const sd = `[${SD_ID} seq="${e.seq}" hash="${e.hash}" prevHash="${e.prevHash}" actor="${sdEscape(e.actor)}" subject="${sdEscape(e.subject)}"]`;
  return `<${pri}>1 ${e.time} ${header(hostname, 255)} nightcore - ${header(e.action, 32)} ${sd} ${BOM}${eventToJsonLine(e).trimEnd()}`;
}

/** One octet-counted frame: the count is of UTF-8 bytes, not characters. */
export function octetFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export function syslogFrames(events: readonly AuditEvent[], hostname: string): Buffer {
  return Buffer.concat(events.map((e) => octetFrame(syslogMessage(e, hostname))));
}
