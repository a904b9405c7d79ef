// @ts-check
/**
 * Worker threads whose code is TypeScript (the module preparation thread) start from an esbuild
 * bundle instead of compiling their sources through tsx at every start: tsx's loader and the
 * import graph behind it cost the preparation thread about 400 ms per start, every time the console
 * or a test opens its services (issue 14), against about 30 ms for a bare thread.
 *
 * The bundle is checked against its sources exactly like the CLI's (bin/cli-inputs.mjs: every input's
 * size, mtime and, when the mtime moved, SHA-256; the file names in each source folder), so a stale
 * bundle never runs: anything changed means a rebuild before the thread loads it. Built into
 * `node_modules/.cache/nightcore-workers/` (build output, never committed) by `npm ci` (postinstall)
 * or by the first thread that finds it missing or stale; published by atomic rename, so threads of
 * several processes building at once are safe. Imports only node builtins (and esbuild when building).
 */
import { mkdirSync, readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join, posix, relative, sep, extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUNDLE_FORMAT, checkInputs, folderEntry, inputEntry, publish, sha256Hex } from './cli-inputs.mjs';

/** Each bundle's entry point, relative to the package root. */
export const WORKER_BUNDLES = /** @type {const} */ ({
  'prepare-job': 'server/core/sandbox/instrument/prepare-job.ts',
});

/** The builder's own code decides what a bundle contains: a change to it is a change of input. */
const OWN_FILES = ['bin/worker-bundle.mjs', 'bin/cli-inputs.mjs'];
const LOADERS = /** @type {const} */ ({ '.ts': 'ts', '.mts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' });
/** Bundles superseded longer ago than this are deleted (a thread that already chose one has loaded it by then). */
const KEEP_OLD_BUNDLES_MS = 60_000;

/** @param {string} root */
export function workerCacheDir(root) {
  return join(root, 'node_modules', '.cache', 'nightcore-workers');
}

/** @param {string} name */
function entryOf(name) {
  const entry = /** @type {Record<string, string>} */ (WORKER_BUNDLES)[name];
  if (!entry) throw new Error(`no worker bundle named ${name}`);
  return entry;
}

/** @param {string} cacheDir @param {string} name */
function readManifest(cacheDir, name) {
  try {
    return /** @type {import('./cli-inputs.mjs').Manifest} */ (JSON.parse(readFileSync(join(cacheDir, `${name}.manifest.json`), 'utf8')));
  } catch {
    return undefined; // missing or torn by hand: build again
  }
}

/**
 * Builds one bundle (ES module) and publishes it with its manifest. A source that uses
 * `import.meta.url` is refused: in a bundle it would name the bundle, not the source.
 * @param {{ root: string, name: string, cacheDir?: string }} options
 * @returns {Promise<import('./cli-inputs.mjs').Manifest>}
 */
export async function buildWorkerBundle({ root, name, cacheDir = workerCacheDir(root) }) {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  /** @type {Map<string, import('./cli-inputs.mjs').InputEntry>} */
  const inputs = new Map();
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, entryOf(name))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [{
      name: 'nightcore-record-worker-inputs',
      setup(b) {
        b.onLoad({ filter: /.*/ }, (args) => {
          const loader = LOADERS[/** @type {keyof typeof LOADERS} */ (extname(args.path))];
          if (!loader) return undefined;
          const rel = relative(root, args.path).split(sep).join('/');
          if (rel.startsWith('../')) throw new Error(`input outside the package: ${args.path}`);
          const stat = statSync(args.path);
          const bytes = readFileSync(args.path);
          inputs.set(rel, inputEntry(rel, stat, bytes));
          const contents = bytes.toString('utf8');
          if (!rel.startsWith('node_modules/') && contents.includes('import.meta.url')) throw new Error(`${rel} uses import.meta.url, which a worker bundle cannot keep`);
          return { contents, loader };
        });
      },
    }],
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  for (const own of OWN_FILES) {
    const bytes = readFileSync(join(root, own));
    inputs.set(own, inputEntry(own, statSync(join(root, own)), bytes));
  }
  // Folders are recorded after the build: one whose listing moved during it is marked changed.
  const ownFolders = new Set([...inputs.keys()].filter((p) => !p.startsWith('node_modules/')).map((p) => posix.dirname(p)));
  const folders = [...ownFolders].sort().map((dir) => folderEntry(root, dir, startedAt));
  mkdirSync(cacheDir, { recursive: true });
  const bundle = `${name}-${sha256Hex(output.contents).slice(0, 24)}.mjs`;
  publish(join(cacheDir, bundle), output.contents);
  /** @type {import('./cli-inputs.mjs').Manifest} */
  const manifest = { format: BUNDLE_FORMAT, bundle, builtAt: new Date().toISOString(), inputs: [...inputs.values()].sort((a, b) => (a[0] < b[0] ? -1 : 1)), folders };
  publish(join(cacheDir, `${name}.manifest.json`), JSON.stringify(manifest));
  removeOldBundles(cacheDir, name, bundle);
  return manifest;
}

/**
 * The path of a bundle built from the sources as they are now: the cached one if its inputs are
 * unchanged, else a new build. Throws when no bundle can be built (the caller falls back to source).
 * @param {string} root
 * @param {string} name
 * @param {string} [cacheDir]
 * @returns {Promise<{ file: string, built: boolean }>}
 */
export async function freshWorkerBundle(root, name, cacheDir = workerCacheDir(root)) {
  const manifest = readManifest(cacheDir, name);
  if (manifest && typeof manifest.bundle === 'string' && new RegExp(`^${name}-[0-9a-f]+\\.mjs$`).test(manifest.bundle)) {
    const check = checkInputs(root, manifest);
    const file = join(cacheDir, manifest.bundle);
    if (check.state === 'fresh' && statSync(file, { throwIfNoEntry: false })) {
      if (check.refreshed) {
        try {
          publish(join(cacheDir, `${name}.manifest.json`), JSON.stringify(check.refreshed));
        } catch {
          // read-only cache: the next start hashes those files again, nothing worse
        }
      }
      return { file, built: false };
    }
  }
  const built = await buildWorkerBundle({ root, name, cacheDir });
  return { file: join(cacheDir, built.bundle), built: true };
}

/** The package this file belongs to. */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Imports a fresh bundle (built first if needed) and returns the module. The one place that imports
 * a path known only at run time, outside the layers the layering check covers (the preparation
 * thread's entry may import this file: scripts/layers/rules.ts, BUNDLE_LOADERS).
 * @param {string} name
 * @returns {Promise<unknown>}
 */
export async function importWorkerBundle(name) {
  const { file } = await freshWorkerBundle(PACKAGE_ROOT, name);
  return import(pathToFileURL(file).href);
}

/** @param {string} cacheDir @param {string} name @param {string} current */
function removeOldBundles(cacheDir, name, current) {
  const now = Date.now();
  for (const file of readdirSync(cacheDir)) {
    const old = file.startsWith(`${name}-`) && file !== current;
    if (!old && !file.endsWith('.tmp')) continue;
    try {
      if (now - statSync(join(cacheDir, file)).mtimeMs > KEEP_OLD_BUNDLES_MS) unlinkSync(join(cacheDir, file));
    } catch {
      // another build removed it first
    }
  }
}
