/**
 * Worker-thread bundles (bin/worker-bundle.mjs): built when missing, reused while the sources are
 * unchanged, rebuilt on any edit, never built from a source that needs its own import.meta.url; and
 * the preparation thread's entry starts from its bundle, or from source through tsx when no bundle can
 * be built. A miniature package with the real builder and entry, whose sources the tests may edit
 * (the real tree is shared with other tests running at the same time).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Worker } from 'node:worker_threads';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildWorkerBundle, freshWorkerBundle } from './worker-bundle.mjs';

const ROOT = resolve(__dirname, '..');
const ENTRY = 'server/core/sandbox/instrument/prepare-job.ts';
const HOUR_AGO = new Date(Date.now() - 3600_000);

let root: string;
const made: string[] = [];
const write = (rel: string, text: string, mtime?: Date) => {
  writeFileSync(join(root, rel), text);
  if (mtime) utimesSync(join(root, rel), mtime, mtime);
};
/** A stand-in for prepare-job.ts: answers every job with the word it imports. */
const entry = `import { word } from './word';
export function prepareJob(req: { wasm: Uint8Array }): { ok: true; value: { word: string; bytes: number } } {
  return { ok: true, value: { word, bytes: req.wasm.length } };
}
`;
const load = async (file: string) => (await import(pathToFileURL(file).href)) as { prepareJob: (r: { wasm: Uint8Array }) => { value: { word: string } } };
const manifestOf = (cache: string) => JSON.parse(readFileSync(join(cache, 'prepare-job.manifest.json'), 'utf8')) as { bundle: string; inputs: [string][] };

/** A package with the real builder and preparation-thread entry, a stand-in prepare-job.ts, esbuild and tsx. */
function makePackage(dir: string): void {
  made.push(dir);
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n'); // as the real package: .ts files are ES modules
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'server', 'core', 'sandbox', 'instrument'), { recursive: true });
  mkdirSync(join(dir, 'server', 'services'), { recursive: true });
  for (const f of ['worker-bundle.mjs', 'cli-inputs.mjs']) copyFileSync(join(ROOT, 'bin', f), join(dir, 'bin', f));
  for (const f of ['server/services/instrument-worker.mjs', 'server/core/sandbox/warm-up-module.mjs']) copyFileSync(join(ROOT, f), join(dir, f));
  // Only the packages the builder and the fallback load (their own dependencies resolve from their real folders).
  mkdirSync(join(dir, 'node_modules'));
  for (const pkg of ['esbuild', 'tsx']) symlinkSync(join(ROOT, 'node_modules', pkg), join(dir, 'node_modules', pkg));
  writeFileSync(join(dir, ENTRY), entry);
  writeFileSync(join(dir, 'server/core/sandbox/instrument/word.ts'), `export const word: string = 'alpha';\n`);
  for (const f of [...readdirSync(join(dir, 'bin')).map((b) => `bin/${b}`), ENTRY, 'server/core/sandbox/instrument/word.ts']) utimesSync(join(dir, f), HOUR_AGO, HOUR_AGO);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'nightcore-workerpkg-'));
  makePackage(root);
});
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Starts the package's preparation thread: its ready message, what it wrote to stderr, and one job's answer. */
async function startThread(dir: string) {
  const w = new Worker(join(dir, 'server/services/instrument-worker.mjs'), { execArgv: [], env: {}, stderr: true });
  let stderr = '';
  w.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const ready = await new Promise<unknown>((done, fail) => {
      w.once('message', done);
      w.once('error', fail);
    });
    const answer = await new Promise<{ result: { value: unknown } }>((done) => {
      w.once('message', done);
      w.postMessage({ type: 'prepare', id: 1, req: { wasm: new Uint8Array(5), caps: null, artefact: null, inspect: true } });
    });
    return { ready, stderr, job: answer.result.value };
  } finally {
    await w.terminate();
  }
}

describe('worker bundles', () => {
  it('builds when missing, reuses while nothing changed, rebuilds on an edit that keeps the size, not on a touch', async () => {
    const cache = join(root, 'cache-edits');
    const first = await freshWorkerBundle(root, 'prepare-job', cache);
    expect(first.built).toBe(true);
    expect((await load(first.file)).prepareJob({ wasm: new Uint8Array(3) }).value.word).toBe('alpha');
    expect(manifestOf(cache).inputs.map((e) => e[0])).toEqual(expect.arrayContaining([ENTRY, 'server/core/sandbox/instrument/word.ts', 'bin/worker-bundle.mjs', 'bin/cli-inputs.mjs']));

    expect(await freshWorkerBundle(root, 'prepare-job', cache)).toEqual({ file: first.file, built: false });
    const touched = new Date(Date.now() - 600_000);
    utimesSync(join(root, 'server/core/sandbox/instrument/word.ts'), touched, touched);
    expect(await freshWorkerBundle(root, 'prepare-job', cache)).toEqual({ file: first.file, built: false });

    write('server/core/sandbox/instrument/word.ts', `export const word: string = 'bravo';\n`); // same size
    const edited = await freshWorkerBundle(root, 'prepare-job', cache);
    expect(edited.built).toBe(true);
    expect(edited.file).not.toBe(first.file);
    expect((await load(edited.file)).prepareJob({ wasm: new Uint8Array(0) }).value.word).toBe('bravo');
  });

  it('rebuilds when the manifest is damaged or names a file outside the cache', async () => {
    const cache = join(root, 'cache-damage');
    const first = await freshWorkerBundle(root, 'prepare-job', cache);
    writeFileSync(join(cache, 'prepare-job.manifest.json'), JSON.stringify({ ...manifestOf(cache), bundle: '../../etc/passwd' }));
    const again = await freshWorkerBundle(root, 'prepare-job', cache);
    expect(again).toEqual({ file: first.file, built: true });
    writeFileSync(join(cache, 'prepare-job.manifest.json'), '{"torn');
    expect((await freshWorkerBundle(root, 'prepare-job', cache)).built).toBe(true);
  });

  it('refuses a source that uses import.meta.url (in a bundle it would name the bundle), and publishes nothing', async () => {
    const cache = join(root, 'cache-meta');
    write('server/core/sandbox/instrument/word.ts', `export const word: string = new URL('.', import.meta.url).href;\n`);
    try {
      await expect(buildWorkerBundle({ root, name: 'prepare-job', cacheDir: cache })).rejects.toThrow(/word\.ts uses import\.meta\.url/);
      expect(existsSync(join(cache, 'prepare-job.manifest.json'))).toBe(false);
    } finally {
      write('server/core/sandbox/instrument/word.ts', `export const word: string = 'alpha';\n`);
    }
  });

  it('the preparation thread starts from its bundle, and from source through tsx when none can be built', async () => {
    const fromBundle = await startThread(root);
    expect(fromBundle.ready).toEqual({ type: 'ready', loadedFrom: 'bundle' });
    expect(fromBundle.job).toEqual({ word: 'alpha', bytes: 5 });
    expect(fromBundle.stderr).toBe('');
    expect(existsSync(join(root, 'node_modules/.cache/nightcore-workers/prepare-job.manifest.json'))).toBe(true);

    // The cache folder cannot be created (a file stands in its way): no bundle, so the sources through tsx.
    const blocked = mkdtempSync(join(tmpdir(), 'nightcore-workerpkg-blocked-'));
    makePackage(blocked);
    writeFileSync(join(blocked, 'node_modules', '.cache'), 'not a folder');
    const fromSource = await startThread(blocked);
    expect(fromSource.ready).toEqual({ type: 'ready', loadedFrom: 'source' });
    expect(fromSource.job).toEqual({ word: 'alpha', bytes: 5 });
    expect(fromSource.stderr).toContain('loading its sources through tsx');
  }, 30_000);
});
