#!/usr/bin/env node
// @ts-check
/**
 * Builds the `nightcore` CLI (server/cli/main.ts and everything it imports) into one CommonJS file
 * with esbuild, so a start loads plain JavaScript instead of compiling TypeScript. Runs after
 * `npm ci` (postinstall) and, through bin/cli-launcher.mjs, whenever the bundle is missing or stale.
 *
 * Output, in the cache folder (node_modules/.cache/nightcore-cli/ by default; build output, never committed):
 *   cli-<sha256 prefix>.cjs   the bundle, named by its content and never modified once in place
 *   manifest.json             which bundle is current and every input it was built from
 * Both are written to a temporary name and renamed into place, so concurrent first runs never see
 * a half-written file: each renames a complete bundle, and the manifest renamed last names a bundle
 * built from exactly the inputs it lists.
 */
import { openSync, readSync, fstatSync, closeSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join, posix, relative, resolve, sep, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FORMAT, defaultCacheDir, folderEntry, inputEntry, publish, sha256Hex } from './cli-inputs.mjs';

const ENTRY = 'server/cli/main.ts';
/** Native addons cannot be bundled: resolved from the package's node_modules at run time. */
const EXTERNAL = ['better-sqlite3'];
const LOADERS = /** @type {const} */ ({ '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' });
/** Bundles superseded longer ago than this are deleted (a start that already chose one has read it by then). */
const KEEP_OLD_BUNDLES_MS = 60_000;

/** Reads a file the way the manifest needs it: mtime observed before the read, from the same descriptor. */
function readWithStat(file) {
  const fd = openSync(file, 'r');
  try {
    const stat = fstatSync(fd);
    const bytes = Buffer.alloc(stat.size);
    let off = 0;
    while (off < bytes.length) {
      const n = readSync(fd, bytes, off, bytes.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return { stat, bytes: bytes.subarray(0, off) };
  } finally {
    closeSync(fd);
  }
}

/**
 * esbuild plugin: loads every input itself so the manifest records the hash of exactly the bytes
 * compiled, and gives each of the package's own modules its source file's `import.meta.url`.
 * Modules find files beside their source (the sandbox worker, the WAL checkpoint worker, the
 * migrations, the default policy) through `new URL(..., import.meta.url)`; in one bundle that would
 * be the bundle's URL, so it is rewritten to the source path, relative to the package root.
 */
function recordInputs(root, inputs) {
  return {
    name: 'nightcore-record-inputs',
    setup(build) {
      build.onLoad({ filter: /.*/ }, (args) => {
        const loader = LOADERS[/** @type {keyof typeof LOADERS} */ (extname(args.path))];
        if (!loader) return undefined; // esbuild's default (and its error for unknown types)
        const { stat, bytes } = readWithStat(args.path);
        const rel = relative(root, args.path).split(sep).join('/');
        if (rel.startsWith('../')) throw new Error(`input outside the package: ${args.path}`);
        inputs.set(rel, inputEntry(rel, stat, bytes));
        let contents = bytes.toString('utf8');
        if (!rel.startsWith('node_modules/') && contents.includes('import.meta.url')) {
          contents = contents.replaceAll('import.meta.url', `__nightcoreSourceUrl(${JSON.stringify(rel)})`);
        }
        return { contents, loader };
      });
    },
  };
}

/**
 * The bundle is evaluated by the launcher with `require` anchored at the package root and
 * `__nightcoreRoot` set, wherever the cache folder is.
 */
const BANNER = [
  '"use strict";',
  'const __nightcoreSourceUrl = (rel) => require("node:url").pathToFileURL(require("node:path").join(__nightcoreRoot, rel)).href;',
].join('\n');

/**
 * Builds the bundle and publishes it. Returns the manifest now in place.
 * @param {{ root: string, cacheDir?: string }} options
 */
export async function buildCli({ root, cacheDir = defaultCacheDir(root) }) {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  /** @type {Map<string, import('./cli-inputs.mjs').InputEntry>} */
  const inputs = new Map();
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, ENTRY)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: EXTERNAL,
    banner: { js: BANNER },
    plugins: [recordInputs(root, inputs)],
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  // The launcher's own code decides how the bundle is loaded: a change to it is a change of input.
  for (const own of ['bin/build-cli.mjs', 'bin/cli-inputs.mjs', 'bin/cli-launcher.mjs']) {
    const { stat, bytes } = readWithStat(join(root, own));
    inputs.set(own, inputEntry(own, stat, bytes));
  }

  // Folders are recorded after the build: one whose listing moved during it is marked changed.
  const ownFolders = new Set([...inputs.keys()].filter((p) => !p.startsWith('node_modules/')).map((p) => posix.dirname(p)));
  const folders = [...ownFolders].sort().map((dir) => folderEntry(root, dir, startedAt));

  mkdirSync(cacheDir, { recursive: true });
  const bundle = `cli-${sha256Hex(output.contents).slice(0, 24)}.cjs`;
  publish(join(cacheDir, bundle), output.contents);
  /** @type {import('./cli-inputs.mjs').Manifest} */
  const manifest = { format: BUNDLE_FORMAT, bundle, builtAt: new Date().toISOString(), inputs: [...inputs.values()].sort((a, b) => (a[0] < b[0] ? -1 : 1)), folders };
  publish(join(cacheDir, 'manifest.json'), JSON.stringify(manifest));
  removeOldBundles(cacheDir, bundle);
  return manifest;
}

function removeOldBundles(cacheDir, current) {
  const now = Date.now();
  for (const name of readdirSync(cacheDir)) {
    const old = name.startsWith('cli-') && !name.startsWith(current);
    const strayTemp = name.endsWith('.tmp');
    if (!old && !strayTemp) continue;
    try {
      if (now - statSync(join(cacheDir, name)).mtimeMs > KEEP_OLD_BUNDLES_MS) unlinkSync(join(cacheDir, name));
    } catch {
      // another build removed it first
    }
  }
}

// `node bin/build-cli.mjs`: the postinstall step. A failed build must not fail `npm ci`: the
// launcher retries on first use and, failing that, runs the CLI from source.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cacheDir = process.env.NIGHTCORE_CLI_CACHE_DIR || defaultCacheDir(root);
  try {
    const t = performance.now();
    const manifest = await buildCli({ root, cacheDir });
    console.log(`nightcore: CLI bundle ${manifest.bundle} built from ${manifest.inputs.length} files in ${Math.round(performance.now() - t)} ms (${relative(process.cwd(), cacheDir) || '.'})`);
  } catch (e) {
    console.warn(`nightcore: could not build the CLI bundle now (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); it is built on first use`);
  }
  // The worker threads' bundles (bin/worker-bundle.mjs), so that the console's first start builds nothing either.
  const { WORKER_BUNDLES, buildWorkerBundle } = await import('./worker-bundle.mjs');
  for (const name of Object.keys(WORKER_BUNDLES)) {
    try {
      const built = await buildWorkerBundle({ root, name });
      console.log(`nightcore: worker bundle ${built.bundle} built from ${built.inputs.length} files`);
    } catch (e) {
      console.warn(`nightcore: could not build the ${name} worker bundle now (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); it is built when the thread first starts`);
    }
  }
}
