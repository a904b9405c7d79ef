/**
 * `--dir HOST::GUEST` and `--save GUEST::HOST`: the only places a host folder meets the sandbox.
 * A host folder is read once into memory (bounded, never written); a guest folder's final state is
 * written only into a NEW host folder (refusing an existing one), so nothing on the host is ever
 * changed in place. Symlinks are recorded by their target text and never followed on the host, and
 * are not recreated on the host when saving (a guest-made link could point anywhere there).
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { err, ok, type Result } from '../core/result';
import { INPUT_LIMITS } from '../core/run';
import type { Preopen, TreeEntry } from '../core/sandbox';

export type HostDirCode = 'INPUT_TOO_LARGE' | 'READ_FAILED' | 'SAVE_TARGET_EXISTS' | 'WRITE_FAILED';

export interface DirMapping {
  readonly host: string;
  readonly guest: string;
}

/** `A::B` → {left: A, right: B}; null when the separator or either side is missing. */
export function splitMapping(text: string): { left: string; right: string } | null {
  const at = text.indexOf('::');
  if (at <= 0 || at + 2 >= text.length) return null;
  return { left: text.slice(0, at), right: text.slice(at + 2) };
}

/** Reads host folders into preopens, within the run input limits across all of them. */
export function snapshotHostDirs(mappings: readonly DirMapping[]): Result<Preopen[], HostDirCode> {
  let entriesLeft: number = INPUT_LIMITS.dirEntries;
  let bytesLeft: number = INPUT_LIMITS.dirBytes;
  const out: Preopen[] = [];
  for (const { host, guest } of mappings) {
    const entries: TreeEntry[] = [];
    const walk = (dir: string, prefix: string): string | null => {
      for (const name of readdirSync(dir).sort()) {
        const full = join(dir, name);
        const path = prefix + name;
        const st = lstatSync(full);
        if (--entriesLeft < 0) return `more than ${INPUT_LIMITS.dirEntries} files, directories and links in --dir folders`;
        if (st.isSymbolicLink()) entries.push({ path, kind: 'symlink', target: readlinkSync(full) });
        else if (st.isDirectory()) {
          entries.push({ path, kind: 'dir' });
          const deeper = walk(full, `${path}/`);
          if (deeper) return deeper;
        } else if (st.isFile()) {
          bytesLeft -= st.size;
          if (bytesLeft < 0) return `more than ${INPUT_LIMITS.dirBytes} bytes in --dir folders`;
          entries.push({ path, kind: 'file', data: new Uint8Array(readFileSync(full)) });
        } else return `${full} is not a file, folder or link`;
      }
      return null;
    };
    try {
      if (!lstatSync(host).isDirectory()) return err('READ_FAILED', `--dir ${host}: not a folder`);
      const problem = walk(host, '');
      if (problem) return err(problem.includes('more than') ? 'INPUT_TOO_LARGE' : 'READ_FAILED', problem);
    } catch (e) {
      return err('READ_FAILED', `--dir ${host}: ${(e as Error).message}`);
    }
    out.push({ guestPath: guest, entries });
  }
  return ok(out);
}

/** Refuses before anything runs when a --save target already exists (it is never overwritten). */
export function checkSaveTargets(hosts: readonly string[]): Result<void, HostDirCode> {
  for (const host of hosts) if (existsSync(host)) return err('SAVE_TARGET_EXISTS', `--save target ${host} already exists; give a new folder`);
  return ok(undefined);
}

export interface Saved {
  readonly guest: string;
  readonly host: string;
  readonly files: number;
  readonly bytes: number;
  /** Guest symlinks not recreated on the host. */
  readonly skippedLinks: readonly string[];
}

/** Writes one guest folder's final state into a new host folder (exclusive create throughout). */
export function saveGuestDir(dir: Preopen, host: string): Result<Saved, HostDirCode> {
  const root = resolve(host);
  let files = 0;
  let bytes = 0;
  const skippedLinks: string[] = [];
  try {
    mkdirSync(root); // not recursive: fails if it exists (EEXIST) or its parent does not
    for (const e of dir.entries) {
      // Entry paths are normalized and relative (checked before the run), so this stays under root.
      const target = join(root, ...e.path.split('/'));
      if (e.kind === 'dir') mkdirSync(target);
      else if (e.kind === 'file') {
        writeFileSync(target, e.data, { flag: 'wx' });
        files++;
        bytes += e.data.length;
      } else skippedLinks.push(e.path);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'SAVE_TARGET_EXISTS' : 'WRITE_FAILED';
    return err(code, `--save ${host}: ${(e as Error).message}`);
  }
  return ok({ guest: dir.guestPath, host, files, bytes, skippedLinks });
}
