// @ts-check
/**
 * Preopened directories travel to the worker (and back) as flat, sorted entry lists: structured-clone
 * friendly, easy to hash one file at a time, and the same shape the run record and `--save` use.
 */
import { entryPathProblem } from './entry-path.mjs';

/**
 * @typedef {{ path: string, kind: 'file', data: Uint8Array } | { path: string, kind: 'dir' } | { path: string, kind: 'symlink', target: string }} TreeEntry
 *   `path` is relative to the preopened directory, `/`-separated, no `.`/`..`/empty components.
 * @typedef {{ guestPath: string, entries: readonly TreeEntry[] }} Preopen
 * @typedef {import('./tree.mjs').Vfs} Vfs
 * @typedef {import('./tree.mjs').DirNode} DirNode
 */

/**
 * Builds a directory tree from a flat list; parents are created as needed. Throws on a malformed
 * list (the caller validated it; a bad list here is a host bug, not a module's doing).
 * @param {Vfs} vfs @param {readonly TreeEntry[]} entries @returns {DirNode}
 */
export function importTree(vfs, entries) {
  const root = vfs.dir();
  if (!root) throw new Error('virtual filesystem: node quota exhausted');
  for (const entry of entries) {
    const problem = entryPathProblem(entry.path);
    if (problem) throw new Error(`virtual filesystem: bad entry path ${JSON.stringify(entry.path)}: ${problem}`);
    const parts = entry.path.split('/');
    const name = /** @type {string} */ (parts.pop());
    let dir = root;
    for (const part of parts) {
      let next = dir.entries.get(part);
      if (!next) {
        const made = vfs.dir();
        if (!made) throw new Error('virtual filesystem: node quota exhausted');
        dir.entries.set(part, made);
        next = made;
      }
      if (next.kind !== 'dir') throw new Error(`virtual filesystem: ${entry.path} is under a non-directory`);
      dir = next;
    }
    const existing = dir.entries.get(name);
    if (existing && !(existing.kind === 'dir' && entry.kind === 'dir')) {
      throw new Error(`virtual filesystem: duplicate entry ${entry.path}`);
    }
    if (existing) continue;
    const node = entry.kind === 'dir' ? vfs.dir() : entry.kind === 'file' ? vfs.file() : vfs.symlink(entry.target);
    if (!node) throw new Error('virtual filesystem: node quota exhausted');
    if (node.kind === 'file' && entry.kind === 'file' && !vfs.adopt(node, entry.data)) {
      throw new Error('virtual filesystem: byte quota exhausted');
    }
    dir.entries.set(name, node);
  }
  return root;
}

/**
 * The tree's final state as a sorted flat list (directories before their contents); file bytes are
 * exact-length copies. Hard links appear once per name.
 * @param {DirNode} root @returns {TreeEntry[]}
 */
export function exportTree(root) {
  /** @type {TreeEntry[]} */
  const out = [];
  /** @param {DirNode} dir @param {string} prefix */
  const walk = (dir, prefix) => {
    for (const name of [...dir.entries.keys()].sort()) {
      const node = /** @type {import('./tree.mjs').Node} */ (dir.entries.get(name));
      const path = prefix + name;
      if (node.kind === 'dir') {
        out.push({ path, kind: 'dir' });
        walk(node, `${path}/`);
      } else if (node.kind === 'file') {
        // An unchanged input file goes back as the same bytes; a changed one as an exact-length copy.
        out.push({ path, kind: 'file', data: node.shared ? node.data : node.data.slice(0, node.size) });
      } else {
        out.push({ path, kind: 'symlink', target: node.target });
      }
    }
  };
  walk(root, '');
  return out;
}
