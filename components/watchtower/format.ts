/** Small display helpers shared by the Watchtower components (no data fetching). */
export const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
export const oneDecimal = (n: number | null) => (n === null ? '—' : n.toFixed(1));
export const shortHash = (hex: string) => (hex.length > 16 ? `${hex.slice(0, 12)}…${hex.slice(-4)}` : hex);

/** UTC on purpose: the buckets are UTC, so labels must match them whatever the viewer's zone. */
export function utcTime(iso: string, withDate = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hhmm = d.toISOString().slice(11, 16);
  return withDate ? `${d.toISOString().slice(0, 10)} ${hhmm} UTC` : `${hhmm}`;
}

export function bucketLabel(iso: string, bucket: 'hour' | 'day'): string {
  return bucket === 'hour' ? utcTime(iso) : iso.slice(5, 10);
}

/** Threat bands as the shipped policies define them; the score itself is always shown too. */
export function scoreTone(score: number): 'good' | 'warn' | 'bad' {
  return score >= 60 ? 'bad' : score >= 30 ? 'warn' : 'good';
}

/** A link to the Runs list with these filters (the same URL parameters the Runs page reads). */
export function runsLink(filters: { module?: string; rule?: string; decision?: 'allow' | 'deny'; since?: string; until?: string }): string {
  const params = new URLSearchParams();
  for (const key of ['module', 'decision', 'rule', 'since', 'until'] as const) {
    const v = filters[key];
    if (v) params.set(key, v);
  }
  const query = params.toString();
  return query ? `/runs?${query}` : '/runs';
}

/** The inclusive end of a bucket (the Runs filter's `until` is inclusive): one millisecond before the next. */
export function bucketEnd(startIso: string, bucket: 'hour' | 'day'): string {
  return new Date(Date.parse(startIso) + (bucket === 'hour' ? 3_600_000 : 86_400_000) - 1).toISOString();
}
