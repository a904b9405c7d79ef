// @ts-check
/**
 * Starts the CLI from its bundle: check the bundle against its sources, rebuild it if anything
 * changed (or it does not exist yet), then evaluate it with V8's code cache. A stale bundle never
 * runs; if no bundle can be built (esbuild missing, cache folder not writable), the CLI runs from
 * source through tsx, as slowly as before, and says so.
 *
 * Why CommonJS through node:vm: Node 20 has no compile cache for ES modules, and compiling the
 * bundle's 1 MB of JavaScript at every start costs about as much as everything else together. A
 * vm.Script accepts the code cache V8 produced on an earlier run (kept beside the bundle; V8 itself
 * rejects a cache from another V8 version or flags, and it is then rewritten).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { checkInputs, defaultCacheDir, publish } from './cli-inputs.mjs';

/**
 * The parameters the bundle's code is evaluated with. On one line with the bundle's first line, so
 * line numbers in stack traces are the bundle's own.
 */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __nightcoreRoot) {';

/** @param {string} cacheDir */
function readManifest(cacheDir) {
  try {
    return /** @type {import('./cli-inputs.mjs').Manifest} */ (JSON.parse(readFileSync(join(cacheDir, 'manifest.json'), 'utf8')));
  } catch {
    return undefined; // missing or torn by hand: build again
  }
}

/** @param {string} file @returns {Buffer | undefined} */
function readIfExists(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined; // none yet, or removed with an old bundle
  }
}

/** @param {string} file */
function readIfPresent(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // removed by a concurrent build after a newer one took its place
  }
}

/**
 * The current bundle's path and source, built first if needed.
 * @param {string} root
 * @param {string} cacheDir
 */
export async function freshBundle(root, cacheDir) {
  const manifest = readManifest(cacheDir);
  if (manifest && typeof manifest.bundle === 'string' && /^cli-[0-9a-f]+\.cjs$/.test(manifest.bundle)) {
    const check = checkInputs(root, manifest);
    if (check.state === 'fresh') {
      const file = join(cacheDir, manifest.bundle);
      const source = readIfPresent(file);
      if (source !== undefined) {
        if (check.refreshed) {
          try {
            publish(join(cacheDir, 'manifest.json'), JSON.stringify(check.refreshed));
          } catch {
            // read-only cache: the next start hashes those files again, nothing worse
          }
        }
        return { file, source, built: false };
      }
    }
  }
  if (process.stderr.isTTY) process.stderr.write('nightcore: building the CLI (first run, or its sources changed)…\n');
  const { buildCli } = await import('./build-cli.mjs');
  const built = await buildCli({ root, cacheDir });
  const file = join(cacheDir, built.bundle);
  return { file, source: readFileSync(file, 'utf8'), built: true };
}

/**
 * The code cache for this command. V8 caches the functions compiled by the time the cache is written,
 * so one written after `--help` holds little of what `run` compiles (verification, the policy, the
 * governor, the instrumenter: about 40 ms of compiling at every `run`, issue 14). Each command keeps
 * its own; anything else (no command, an option first) shares the bundle's default one.
 * @param {string} bundleFile
 * @param {string[]} argv
 */
export function codeCacheFile(bundleFile, argv) {
  const command = argv[0] ?? '';
  return /^[a-z][a-z0-9-]{0,31}$/.test(command) ? `${bundleFile}.${command}.v8cache` : `${bundleFile}.v8cache`;
}

/**
 * Evaluates the bundle and runs its `main`. The V8 code cache is written after the first run of a
 * bundle (it then holds the functions that run compiled, not only the top level); a command's own
 * cache only after it succeeded, so that a mistyped command leaves no file behind.
 * @param {string} root
 * @param {{ file: string, source: string }} bundle
 * @param {string[]} argv
 */
async function runBundle(root, bundle, argv) {
  const defaultCache = `${bundle.file}.v8cache`;
  const cacheFile = codeCacheFile(bundle.file, argv);
  // A command without its own cache yet starts from the default one (the top level at least).
  let cachedData = readIfExists(cacheFile);
  const hadOwn = cachedData !== undefined;
  if (!hadOwn && cacheFile !== defaultCache) cachedData = readIfExists(defaultCache);
  const script = new vm.Script(`${WRAPPER_HEAD}${bundle.source}\n})`, {
    filename: bundle.file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: /** @type {{ main?: (argv: string[]) => Promise<number> }} */ ({}) };
  // `require` resolves from the package root: the native addon (better-sqlite3) is not bundled.
  const requireFromRoot = createRequire(join(root, 'package.json'));
  script.runInThisContext()(module.exports, requireFromRoot, module, bundle.file, join(bundle.file, '..'), root);
  if (typeof module.exports.main !== 'function') throw new Error(`${bundle.file} exports no main()`);
  const code = await module.exports.main(argv);
  if ((!hadOwn || script.cachedDataRejected) && (code === 0 || cacheFile === defaultCache)) {
    try {
      publish(cacheFile, script.createCachedData());
    } catch {
      // no cache this time; the next start compiles again
    }
  }
  return code;
}

/** @param {string} root @param {string[]} argv */
async function runFromSource(root, argv) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(pathToFileURL(join(root, 'server', 'cli', 'main.ts')).href);
  return /** @type {number} */ (await main(argv));
}

/**
 * @param {URL} rootUrl the package root
 * @param {string[]} argv
 * @returns {Promise<number>} the exit code
 */
export async function launch(rootUrl, argv) {
  const root = fileURLToPath(rootUrl);
  const cacheDir = process.env.NIGHTCORE_CLI_CACHE_DIR || defaultCacheDir(root);
  let bundle;
  try {
    bundle = await freshBundle(root, cacheDir);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    process.stderr.write(`nightcore: cannot build the CLI bundle in ${cacheDir} (${why}); running from source, which starts slowly\n`);
    return runFromSource(root, argv);
  }
  return runBundle(root, bundle, argv);
}
