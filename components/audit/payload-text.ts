/**
 * An event's payload as indented JSON TEXT for a <pre>. Payloads hold whatever modules and users
 * wrote, so they are only ever shown as text; unparsable text is shown as stored.
 */
export function prettyPayload(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

/** "2025-01-02 03:04:05 UTC" from the stored ISO time (the log is in UTC; so is the page). */
export function shortTime(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso;
}
