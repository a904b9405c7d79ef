/**
 * The HTTP event sink's body, in the HTTP Event Collector format most collectors accept (Splunk
 * HEC, and the HEC-compatible inputs of Cribl, Vector, Elastic and others): newline-separated
 * objects, POSTed to /services/collector/event with `Authorization: Splunk <token>`.
 */
import type { AuditEvent } from '../audit/event';

export const HEC_PATH = '/services/collector/event';
export const HEC_SOURCE = 'nightcore';
export const HEC_SOURCETYPE = 'nightcore:audit';

/** `time` is epoch seconds with milliseconds, as HEC expects; the event keeps seq and hash. */
export function hecLine(e: AuditEvent, host: string): string {
  const time = Date.parse(e.time) / 1000;
  return (
    '{"time":' + time.toFixed(3) +
    ',"host":' + JSON.stringify(host) +
    ',"source":' + JSON.stringify(HEC_SOURCE) +
    ',"sourcetype":' + JSON.stringify(HEC_SOURCETYPE) +
    ',"event":{"seq":' + String(e.seq) +
    ',"hash":' + JSON.stringify(e.hash) +
    ',"prevHash":' + JSON.stringify(e.prevHash) +
    ',"time":' + JSON.stringify(e.time) +
    ',"action":' + JSON.stringify(e.action) +
    ',"actor":' + JSON.stringify(e.actor) +
    ',"subject":' + JSON.stringify(e.subject) +
    ',"payload":' + e.payload +
    '}}'
  );
}

export function hecBody(events: readonly AuditEvent[], host: string): string {
  return events.map((e) => hecLine(e, host)).join('\n');
}

/** The collector endpoint under a base URL (a base that already ends with the path is kept). */
export function hecEndpoint(base: URL): URL {
  if (base.pathname.endsWith(HEC_PATH)) return new URL(base.href);
  const url = new URL(base.href);
  url.pathname = url.pathname.replace(/\/+$/, '') + HEC_PATH;
  return url;
}
