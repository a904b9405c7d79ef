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

/**
 * The gist of a `run.decided` event for its row: the decision and the module, read from the
 * decision record in the payload. Null for other actions or a payload that does not say.
 */
export function runDecidedGist(action: string, payload: string): { decision: 'allow' | 'deny'; module: string } | null {
  if (action !== 'run.decided') return null;
  try {
    const record = JSON.parse(payload) as { decision?: unknown; module?: { name?: unknown; version?: unknown } };
    const decision = record.decision;
    const name = record.module?.name;
    const version = record.module?.version;
    if ((decision !== 'allow' && decision !== 'deny') || typeof name !== 'string') return null;
    return { decision, module: typeof version === 'string' ? `${name}@${version}` : name };
  } catch {
    return null;
  }
}

/** The run a `run:<id>` subject names (ids are what the console's run page accepts), else null. */
export function runIdOfSubject(subject: string): string | null {
  const m = /^run:([A-Za-z0-9_-]{1,64})$/.exec(subject);
  return m ? m[1]! : null;
}
