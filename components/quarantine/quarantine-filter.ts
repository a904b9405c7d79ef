/** The quarantine list's filter: newest first, then a case-insensitive substring over what a card says. */
import type { TQuarantineEntry } from '@/server/api/routers/quarantine';

export function haystack(q: TQuarantineEntry): string {
  return [q.moduleName, ...q.versions, q.reason, q.source, q.by, q.cause?.rule ?? '', q.cause?.outcome ?? '', q.cause?.outcomeText ?? ''].join('\n').toLowerCase();
}

export function filterQuarantine(entries: readonly TQuarantineEntry[], query: string): TQuarantineEntry[] {
  const needle = query.trim().toLowerCase();
  const sorted = [...entries].sort((a, b) => Date.parse(b.since) - Date.parse(a.since) || b.id - a.id);
  return needle === '' ? sorted : sorted.filter((q) => haystack(q).includes(needle));
}
