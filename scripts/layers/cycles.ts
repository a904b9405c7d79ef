/**
 * Import cycles among the layered source files. A cycle means two files that cannot be understood
 * (or loaded) apart; shared types go in a file both import instead (see server/core/module/types.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { findImports } from './imports';
import { LAYERS, LAYER_DIRS, resolveTarget, sourceFiles } from './rules';

const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.mjs', '.js', '/index.ts', '/index.tsx'];

/** The file a repo-relative import path names, the way the bundler would find it. */
function resolveFile(root: string, path: string, exists: (p: string) => boolean): string | undefined {
  const bare = path.replace(/\.js$/, '');
  for (const candidate of [...EXTENSIONS.map((e) => path + e), bare + '.ts']) {
    if (exists(join(root, candidate))) return posix.normalize(candidate);
  }
  return undefined;
}

/**
 * Import cycles among the checked files (type-only imports included: a cycle of types still ties
 * two files together). Each cycle is listed once, as the files of one strongly connected component.
 */
export function findCycles(root: string, onlyUnder = ''): string[][] {
  const graph = new Map<string, string[]>();
  const isFile = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  for (const layer of LAYERS) {
    for (const file of sourceFiles(root, LAYER_DIRS[layer])) {
      if (!file.startsWith(onlyUnder)) continue;
      const edges: string[] = [];
      for (const found of findImports(file, readFileSync(join(root, file), 'utf8'))) {
        if (found.kind === 'import-meta-url') continue; // a worker entry runs in another thread: no evaluation cycle
        const target = resolveTarget(file, found.specifier);
        if (target.kind !== 'file') continue;
        const resolved = resolveFile(root, target.path, isFile);
        if (resolved && resolved.startsWith(onlyUnder) && resolved !== file) edges.push(resolved);
      }
      graph.set(file, edges);
    }
  }
  return stronglyConnected(graph).filter((component) => component.length > 1);
}

/** Tarjan's algorithm, iterative enough for a source tree (recursion depth = longest import chain). */
function stronglyConnected(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    indexOf.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return components;
}
