/**
 * The layering rules of docs/architecture.md, as data, and the check that applies them to the tree.
 * Data flows one way: app → server/api → server/auth → server/services → server/core, with db beside
 * services. A file may import only from the layers its row lists; anything unlisted is refused
 * (a new folder has to be placed before its code can be imported from anywhere checked).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findImports, findProcessEnv, type FoundImport } from './imports';

export const LAYERS = ['core', 'db', 'services', 'auth', 'api', 'cli', 'components', 'app'] as const;
export type Layer = (typeof LAYERS)[number];

/** Where each layer lives, relative to the repository root. */
export const LAYER_DIRS = {
  core: 'server/core/',
  db: 'db/',
  services: 'server/services/',
  auth: 'server/auth/',
  api: 'server/api/',
  cli: 'server/cli/',
  components: 'components/',
  app: 'app/',
} as const satisfies Record<Layer, string>;

/**
 * Which layers each layer may import from (its own is always allowed). `satisfies Record<Layer, ...>`
 * makes a new layer a compile error until its row is written.
 * - core reaches nothing above it; db never imports server code.
 * - components render: they may use the core's pure types and tables (roles, permissions) and the
 *   tRPC router's type, never services, auth or db.
 * - app pages get data through the cached server-side caller (server/api), never services or db.
 */
export const ALLOWED_LAYERS = {
  core: [],
  db: [],
  services: ['core', 'db'],
  auth: ['services', 'core'],
  api: ['auth', 'services', 'core'],
  cli: ['services', 'core', 'db'],
  components: ['api', 'core'],
  app: ['api', 'auth', 'components', 'core'],
} as const satisfies Record<Layer, readonly Layer[]>;

/**
 * The only packages server/core may import at run time: pure libraries with no I/O of their own.
 * (No next/*, @trpc/*, react, server-only, drizzle or better-sqlite3.)
 */
export const CORE_PACKAGES: readonly string[] = ['zod', '@noble/ed25519', '@noble/hashes', 'canonicalize', 'semver'];
/** Packages the core's own tests and test helpers may use on top of those. */
export const CORE_TEST_PACKAGES: readonly string[] = ['vitest', 'wabt'];
/** Folders outside the core that the core's tests may read (fixtures, not code). */
export const CORE_TEST_DATA_DIRS: readonly string[] = ['testdata/'];

/**
 * Thread entries that start from a build artefact, and the one loader in bin/ (outside the layers)
 * each may import: the loader checks the artefact against its sources and imports it by a path known
 * only at run time (bin/worker-bundle.mjs; issue 14: through tsx, the preparation thread took ~450 ms
 * to start). Nothing else in the layers may reach bin/.
 */
export const BUNDLE_LOADERS: Readonly<Record<string, string>> = { 'server/services/instrument-worker.mjs': 'bin/worker-bundle.mjs' };

/** What tests outside the core may import for their fixtures, whatever their own layer. */
export const TEST_FIXTURE_LAYERS: readonly Layer[] = ['core', 'db', 'services', 'auth', 'api'];

const SOURCE = /\.(ts|tsx|mts|cts|mjs|cjs|js)$/;
const SKIP_DIRS = new Set(['node_modules', '.next', 'dist', 'build', 'coverage']);
/** Test files and test-only helpers: they may use test packages; production code may not import them. */
export const isTestFile = (path: string): boolean => /(\.test\.tsx?|\.fixture\.m?js)$|(^|\/)(test-[^/]+|testkit\.ts)$/.test(path);

/** The layer a file or folder belongs to (`server/services` names the folder's index). */
export function layerOf(path: string): Layer | undefined {
  const withSlash = path.endsWith('/') ? path : `${path}/`;
  return LAYERS.find((layer) => withSlash.startsWith(LAYER_DIRS[layer]));
}

const BUILTINS = new Set(builtinModules);
const isBuiltin = (specifier: string): boolean => specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!);

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

export type Target =
  | { readonly kind: 'builtin' }
  | { readonly kind: 'package'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'unknown' };

/** Where a specifier written in `from` (a repo-relative posix path) points. */
export function resolveTarget(from: string, specifier: string | undefined): Target {
  if (specifier === undefined) return { kind: 'unknown' };
  if (specifier.startsWith('@/')) return { kind: 'file', path: posix.normalize(specifier.slice(2)) };
  if (specifier.startsWith('.') || specifier.startsWith('/')) return { kind: 'file', path: posix.join(posix.dirname(from), specifier) };
  if (isBuiltin(specifier)) return { kind: 'builtin' };
  return { kind: 'package', name: packageName(specifier) };
}

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly reason: string;
}

/** The reason an import breaks a rule, or undefined when it is allowed. */
export function judge(from: string, found: FoundImport): string | undefined {
  const layer = layerOf(from);
  if (!layer) return undefined;
  const target = resolveTarget(from, found.specifier);
  const test = isTestFile(from);
  if (target.kind === 'unknown') return `computed ${found.kind}: the layering check cannot see where it goes`;
  if (target.kind === 'builtin') return undefined;
  if (target.kind === 'package') {
    if (layer !== 'core') return undefined;
    if (CORE_PACKAGES.includes(target.name) || (test && CORE_TEST_PACKAGES.includes(target.name))) return undefined;
    return `server/core may not import the package ${target.name} (allowed: ${CORE_PACKAGES.join(', ')})`;
  }
  if (target.path.startsWith('..')) return `reaches outside the repository`;
  if (BUNDLE_LOADERS[from] === target.path) return undefined;
  if (!test && isTestFile(target.path)) return `production code imports a test helper (${target.path})`;
  const targetLayer = layerOf(target.path);
  if (targetLayer === layer) return undefined;
  if (test && layer === 'core' && CORE_TEST_DATA_DIRS.some((dir) => target.path.startsWith(dir))) return undefined;
  if (targetLayer && (ALLOWED_LAYERS[layer] as readonly Layer[]).includes(targetLayer)) return undefined;
  // Tests above the core wire real fixtures (a database, the services, a tRPC caller) from any
  // server layer; they still never depend on pages or components. The core's tests stay inside it.
  if (test && layer !== 'core' && targetLayer && TEST_FIXTURE_LAYERS.includes(targetLayer)) return undefined;
  return `${layer} (${LAYER_DIRS[layer]}) may not import ${targetLayer ?? 'code outside the layers'} (${target.path})`;
}

/** The source files of a folder, recursively (no declaration files, no build output). */
export function* sourceFiles(root: string, dir: string): Generator<string> {
  if (!existsSync(join(root, dir))) return; // the repository test checks that every layer folder exists
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* sourceFiles(root, join(dir, entry.name));
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield join(dir, entry.name).split(sep).join('/');
    }
  }
}

export function checkTree(root: string): Violation[] {
  const violations: Violation[] = [];
  for (const layer of LAYERS) {
    for (const file of sourceFiles(root, LAYER_DIRS[layer])) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const found of findImports(file, text)) {
        const reason = judge(file, found);
        if (reason) violations.push({ file, line: found.line, specifier: found.specifier ?? '<computed>', reason });
      }
      if (layer === 'core' && !isTestFile(file)) {
        for (const line of findProcessEnv(file, text)) {
          violations.push({ file, line, specifier: 'process.env', reason: 'server/core may not read process.env (take configuration as an argument)' });
        }
      }
    }
  }
  return violations;
}

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const format = (v: Violation): string => `${v.file}:${v.line}  ${v.specifier}  — ${v.reason}`;
