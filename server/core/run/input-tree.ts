/**
 * Preopened directories in the decision record: each file by SHA-256 (content-addressed, so the
 * record stays small and the bytes are stored once however many runs use them), links by target,
 * and one digest per directory over its sorted listing. Replay rebuilds the same tree from the
 * record and the stored contents, and compares the final tree's digest.
 */
import { sha256Hex } from '../crypto/digest';
import type { Preopen, TreeEntry } from '../sandbox/types';

export type RecordedEntry =
  | { readonly path: string; readonly kind: 'file'; readonly sha256: string; readonly bytes: number }
  | { readonly path: string; readonly kind: 'dir' }
  | { readonly path: string; readonly kind: 'symlink'; readonly target: string };

export interface RecordedDir {
  readonly guestPath: string;
  /** SHA-256 of the listing: one JSON line per entry, sorted by path ([kind, path, content digest or target]). */
  readonly treeSha256: string;
  readonly entryCount: number;
  readonly bytes: number;
  /**
   * Every entry with its digest, when the listings of a run fit INLINE_LISTING_BYTES; otherwise
   * absent, and the listing itself is stored by its digest (`treeSha256`), so the record still
   * commits to every file while its audit event stays within the log's payload limit.
   */
  readonly entries?: readonly RecordedEntry[];
}

/** Listings inline in the decision record up to this many bytes of JSON across a run's folders. */
export const INLINE_LISTING_BYTES = 16 * 1024;

/** A directory's final state in the record: its digest, to compare on replay. */
export interface RecordedDirState {
  readonly guestPath: string;
  readonly treeSha256: string;
  readonly entries: number;
  readonly bytes: number;
}

/** Input bytes are hashed for the record and again for storage: remember each array's digest once. */
const digests = new WeakMap<Uint8Array, string>();
function digestOf(data: Uint8Array): string {
  let d = digests.get(data);
  if (d === undefined) {
    d = sha256Hex(data);
    digests.set(data, d);
  }
  return d;
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function describeEntry(e: TreeEntry): RecordedEntry {
  if (e.kind === 'file') return { path: e.path, kind: 'file', sha256: digestOf(e.data), bytes: e.data.length };
  if (e.kind === 'symlink') return { path: e.path, kind: 'symlink', target: e.target };
  return { path: e.path, kind: 'dir' };
}

/** The listing: JSON lines, so no path or target can forge another line. Its SHA-256 is the tree digest. */
function listingText(entries: readonly RecordedEntry[]): string {
  return entries.map((e) => JSON.stringify(e.kind === 'file' ? [e.kind, e.path, e.sha256] : e.kind === 'symlink' ? [e.kind, e.path, e.target] : [e.kind, e.path])).join('\n');
}

interface Described {
  readonly guestPath: string;
  readonly entries: readonly RecordedEntry[];
  readonly listing: string;
  readonly treeSha256: string;
  readonly bytes: number;
}

function describe(p: Preopen): Described {
  const entries = [...p.entries].map(describeEntry).sort(byPath);
  const listing = listingText(entries);
  const bytes = entries.reduce((n, e) => n + (e.kind === 'file' ? e.bytes : 0), 0);
  return { guestPath: p.guestPath, entries, listing, treeSha256: sha256Hex(listing), bytes };
}

/** The record's view of a run's input folders: listings inline while they are small. */
export function describeDirs(dirs: readonly Preopen[]): RecordedDir[] {
  const described = dirs.map(describe);
  const inline = JSON.stringify(described.map((d) => d.entries)).length <= INLINE_LISTING_BYTES;
  return described.map((d) => ({
    guestPath: d.guestPath,
    treeSha256: d.treeSha256,
    entryCount: d.entries.length,
    bytes: d.bytes,
    ...(inline ? { entries: d.entries } : {}),
  }));
}

export function dirState(p: Preopen): RecordedDirState {
  const d = describe(p);
  return { guestPath: p.guestPath, treeSha256: d.treeSha256, entries: d.entries.length, bytes: d.bytes };
}

/** Every distinct file content and every listing of `dirs`, by digest (what storage keeps for replay). */
export function contentsOf(dirs: readonly Preopen[]): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const p of dirs) {
    for (const e of p.entries) if (e.kind === 'file') out.set(digestOf(e.data), e.data);
    const d = describe(p);
    out.set(d.treeSha256, new TextEncoder().encode(d.listing));
  }
  return out;
}

/** What a listing line says about an entry (a stored listing has no sizes; contents are checked by digest). */
type Listed = Exclude<RecordedEntry, { kind: 'file' }> | { readonly path: string; readonly kind: 'file'; readonly sha256: string };

/** Entries back from a stored listing (its digest was checked by the caller). */
function parseListing(text: string): Listed[] | null {
  if (text === '') return [];
  const out: Listed[] = [];
  for (const line of text.split('\n')) {
    const v: unknown = JSON.parse(line);
    if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string') return null;
    if (v[0] === 'dir') out.push({ path: v[1], kind: 'dir' });
    else if (v[0] === 'symlink' && typeof v[2] === 'string') out.push({ path: v[1], kind: 'symlink', target: v[2] });
    else if (v[0] === 'file' && typeof v[2] === 'string') out.push({ path: v[1], kind: 'file', sha256: v[2] });
    else return null;
  }
  return out;
}

/**
 * The recorded directories, rebuilt from stored contents. A content that is missing or does not
 * match its digest fails: replay must run on exactly the recorded input or not at all.
 */
export function rebuildDirs(recorded: readonly RecordedDir[], content: (sha256: string) => Uint8Array | undefined): Preopen[] | string {
  const dirs: Preopen[] = [];
  for (const d of recorded) {
    let listed: readonly Listed[] | undefined = d.entries;
    if (!listed) {
      const stored = content(d.treeSha256);
      if (!stored || sha256Hex(stored) !== d.treeSha256) return `the stored listing of ${d.guestPath} (${d.treeSha256}) is missing or altered`;
      const parsed = parseListing(new TextDecoder().decode(stored));
      if (!parsed) return `the stored listing of ${d.guestPath} does not parse`;
      listed = parsed;
    }
    const entries: TreeEntry[] = [];
    for (const e of listed) {
      if (e.kind !== 'file') {
        entries.push(e);
        continue;
      }
      const data = content(e.sha256);
      if (!data || sha256Hex(data) !== e.sha256) return `the stored content of ${d.guestPath}/${e.path} (${e.sha256}) is missing or altered`;
      entries.push({ path: e.path, kind: 'file', data });
    }
    dirs.push({ guestPath: d.guestPath, entries });
  }
  return dirs;
}
