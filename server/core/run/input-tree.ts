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
  readonly entries: readonly RecordedEntry[];
  /** SHA-256 over the sorted listing (one line per entry: kind, path, content digest or target). */
  readonly treeSha256: string;
}

/** A directory's final state in the record: its digest, to compare on replay. */
export interface RecordedDirState {
  readonly guestPath: string;
  readonly treeSha256: string;
  readonly entries: number;
  readonly bytes: number;
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function describeEntry(e: TreeEntry): RecordedEntry {
  if (e.kind === 'file') return { path: e.path, kind: 'file', sha256: sha256Hex(e.data), bytes: e.data.length };
  if (e.kind === 'symlink') return { path: e.path, kind: 'symlink', target: e.target };
  return { path: e.path, kind: 'dir' };
}

/** JSON lines, so no path or target can forge another line. */
function treeDigest(entries: readonly RecordedEntry[]): string {
  return sha256Hex(entries.map((e) => JSON.stringify(e.kind === 'file' ? [e.kind, e.path, e.sha256] : e.kind === 'symlink' ? [e.kind, e.path, e.target] : [e.kind, e.path])).join('\n'));
}

export function describeDir(p: Preopen): RecordedDir {
  const entries = [...p.entries].map(describeEntry).sort(byPath);
  return { guestPath: p.guestPath, entries, treeSha256: treeDigest(entries) };
}

export function dirState(p: Preopen): RecordedDirState {
  const d = describeDir(p);
  const bytes = d.entries.reduce((n, e) => n + (e.kind === 'file' ? e.bytes : 0), 0);
  return { guestPath: p.guestPath, treeSha256: d.treeSha256, entries: d.entries.length, bytes };
}

/** Every distinct file content of `dirs`, by digest (what storage keeps for replay). */
export function contentsOf(dirs: readonly Preopen[]): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const d of dirs) for (const e of d.entries) if (e.kind === 'file') out.set(sha256Hex(e.data), e.data);
  return out;
}

/**
 * The recorded directories, rebuilt from stored contents. A content that is missing or does not
 * match its digest fails: replay must run on exactly the recorded input or not at all.
 */
export function rebuildDirs(recorded: readonly RecordedDir[], content: (sha256: string) => Uint8Array | undefined): Preopen[] | string {
  const dirs: Preopen[] = [];
  for (const d of recorded) {
    const entries: TreeEntry[] = [];
    for (const e of d.entries) {
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
