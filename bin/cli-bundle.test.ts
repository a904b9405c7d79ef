/**
 * The CLI bundle: built on first use, never run stale, safe under concurrent first runs, and the
 * real CLI works from it end to end (the sandbox worker, migrations and default policy are found
 * from the bundle, whatever the working directory).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { wat } from '../server/core/wasm/test-wat';

const ROOT = resolve(__dirname, '..');
const FALLBACK_NOTE = 'running from source';

function nightcore(bin: string, args: string[], env: Record<string, string>, cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The manifest's shape (bin/cli-inputs.mjs): [path, mtimeMs, size, sha256, racy] per input. */
interface Manifest {
  format: number;
  bundle: string;
  inputs: [string, number, number, string, boolean][];
  folders: [string, number, string, boolean][];
}
const manifestOf = (cacheDir: string) => JSON.parse(readFileSync(join(cacheDir, 'manifest.json'), 'utf8')) as Manifest;

describe('the nightcore CLI from its bundle', () => {
  const PRINTER_WAT = `(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "hi from the bundle\\n")
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 16))
      (i32.store (i32.const 4) (i32.const 19))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

  it('builds on first use, then keygen → init → sign → trust add → run (import, worker thread, jailed process) work from it', () => {
    const work = mkdtempSync(join(tmpdir(), 'nightcore-bundle-'));
    const cacheDir = join(work, 'cache');
    const env = { NIGHTCORE_CLI_CACHE_DIR: cacheDir, NIGHTCORE_DATA: join(work, 'data') };
    const bin = join(ROOT, 'bin', 'nightcore.mjs');
    const run = (args: string[]) => nightcore(bin, args, env, work); // not the package root: paths must not depend on the cwd

    const help = run(['--help']);
    expect(help.stderr).not.toContain(FALLBACK_NOTE);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: nightcore <command>');
    const manifest = manifestOf(cacheDir);
    const inputs = manifest.inputs.map((e) => e[0]);
    expect(inputs).toEqual(expect.arrayContaining(['server/cli/main.ts', 'db/client.ts', 'bin/build-cli.mjs', 'bin/cli-inputs.mjs', 'bin/cli-launcher.mjs']));
    expect(inputs.every((p) => !p.startsWith('/') && !p.startsWith('..'))).toBe(true);
    expect(manifest.folders.map((f) => f[0])).toEqual(expect.arrayContaining(['server/cli', 'server/core/sandbox/worker-threads', 'db']));
    expect(existsSync(join(cacheDir, manifest.bundle))).toBe(true);
    expect(existsSync(join(cacheDir, `${manifest.bundle}.v8cache`))).toBe(true); // written after the first run

    writeFileSync(join(work, 'printer.wasm'), wat(PRINTER_WAT));
    expect(run(['keygen', '--out', 'keys', '--name', 'alice']).code).toBe(0);
    expect(run(['init', 'printer.wasm', '--name', 'printer', '--version', '1.0.0', '--capability', 'stdout', '--out', 'printer-1.0.0']).code).toBe(0);
    expect(run(['sign', 'printer-1.0.0', '--key', join('keys', 'alice.key')]).code).toBe(0);
    expect(run(['trust', 'add', join('keys', 'alice.pub'), '--role', 'publisher']).code).toBe(0);
    const ran = run(['run', 'printer-1.0.0']); // a bundle folder is imported first, then run in a worker
    expect(ran.stderr).not.toContain(FALLBACK_NOTE);
    expect(ran.stdout).toContain('hi from the bundle');
    expect(ran.stderr).toContain('ALLOW printer@1.0.0'); // the decision record goes to stderr, the module's output to stdout
    expect(ran.code).toBe(0);
    // Each command keeps its own code cache, written after it first succeeded; a mistyped one leaves none.
    expect(existsSync(join(cacheDir, `${manifest.bundle}.run.v8cache`))).toBe(true);
    expect(run(['rnu', 'printer']).code).toBe(2);
    expect(readdirSync(cacheDir).filter((f) => f.includes('rnu'))).toEqual([]);
    // The jailed process backend finds its runner beside the worker's source too.
    const jailed = nightcore(bin, ['run', 'printer'], { ...env, NIGHTCORE_BACKEND: 'process' }, work);
    expect(jailed.stdout).toContain('hi from the bundle');
    expect(jailed.code).toBe(0);
    expect(manifestOf(cacheDir).bundle).toBe(manifest.bundle); // nothing was rebuilt along the way
  });
});

/**
 * A miniature package with the real launcher and builder, whose sources the tests may edit: the
 * real tree is shared with other tests running at the same time.
 */
describe('bundle freshness and concurrency', () => {
  let root: string;
  let bin: string;
  const HOUR_AGO = new Date(Date.now() - 3600_000);

  const write = (rel: string, text: string, mtime?: Date) => {
    writeFileSync(join(root, rel), text);
    if (mtime) utimesSync(join(root, rel), mtime, mtime);
  };
  const main = (word: string) => `import { readFileSync } from 'node:fs';
import { word } from './word';
export async function main(argv: string[]): Promise<number> {
  const beside = readFileSync(new URL('./beside.txt', import.meta.url), 'utf8').trim();
  process.stdout.write(\`\${word} \${beside} \${argv.join(',')} ${word}\\n\`);
  return 0;
}
`;
  const runIn = (cacheDir: string, args: string[] = []) => nightcore(bin, args, { NIGHTCORE_CLI_CACHE_DIR: cacheDir }, tmpdir());

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'nightcore-minipkg-'));
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'server', 'cli'), { recursive: true });
    for (const f of ['nightcore.mjs', 'cli-launcher.mjs', 'build-cli.mjs', 'cli-inputs.mjs']) copyFileSync(join(ROOT, 'bin', f), join(root, 'bin', f));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules')); // esbuild and tsx
    write('server/cli/main.ts', main('m1'), HOUR_AGO);
    write('server/cli/word.ts', `export const word = 'alpha';\n`, HOUR_AGO);
    write('server/cli/beside.txt', 'found-beside-the-source\n', HOUR_AGO);
    for (const f of readdirSync(join(root, 'bin'))) utimesSync(join(root, 'bin', f), HOUR_AGO, HOUR_AGO);
    bin = join(root, 'bin', 'nightcore.mjs');
  });

  it('rebuilds when a source changes (even keeping its size), not when it is only touched', () => {
    const cache = join(root, 'cache-edits');
    const first = runIn(cache, ['x', 'y']);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('alpha found-beside-the-source x,y m1\n'); // import.meta.url is the source file's
    const built = manifestOf(cache);
    expect(built.inputs.find((e) => e[0] === 'server/cli/word.ts')?.[4]).toBe(false); // old mtime: not racy

    const touched = new Date(Date.now() - 600_000);
    utimesSync(join(root, 'server/cli/word.ts'), touched, touched);
    expect(runIn(cache).stdout).toBe('alpha found-beside-the-source  m1\n');
    expect(manifestOf(cache).bundle).toBe(built.bundle); // same content: the same bundle...
    expect(manifestOf(cache).inputs.find((e) => e[0] === 'server/cli/word.ts')?.[1]).toBeCloseTo(touched.getTime(), 0); // ...with the new mtime recorded

    write('server/cli/word.ts', `export const word = 'bravo';\n`); // same size, new mtime
    expect(runIn(cache).stdout).toBe('bravo found-beside-the-source  m1\n');
    expect(manifestOf(cache).bundle).not.toBe(built.bundle);
  });

  it('catches an edit that keeps both size and mtime when the file was recorded within the racy window', () => {
    const cache = join(root, 'cache-racy');
    write('server/cli/word.ts', `export const word = 'delta';\n`); // just written: racy when recorded
    expect(runIn(cache).stdout).toBe('delta found-beside-the-source  m1\n');
    const entry = manifestOf(cache).inputs.find((e) => e[0] === 'server/cli/word.ts')!;
    expect(entry[4]).toBe(true);
    write('server/cli/word.ts', `export const word = 'gamma';\n`, new Date(entry[1]));
    expect(runIn(cache).stdout).toBe('gamma found-beside-the-source  m1\n');
  });

  it('rebuilds when a file added beside an import changes what it resolves to (no input changed)', () => {
    const cache = join(root, 'cache-shadow');
    write('server/cli/word.ts', `export const word = 'plain';\n`, HOUR_AGO);
    expect(runIn(cache).stdout).toBe('plain found-beside-the-source  m1\n');
    write('server/cli/word.tsx', `export const word = 'shadow';\n`); // esbuild tries .tsx before .ts
    try {
      expect(runIn(cache).stdout).toBe('shadow found-beside-the-source  m1\n');
    } finally {
      unlinkSync(join(root, 'server/cli/word.tsx'));
    }
    expect(runIn(cache).stdout).toBe('plain found-beside-the-source  m1\n'); // and back when it goes
  });

  it('rebuilds when the bundle file or the manifest is gone or damaged', () => {
    const cache = join(root, 'cache-damage');
    write('server/cli/main.ts', main('m2'), HOUR_AGO);
    expect(runIn(cache).code).toBe(0);
    unlinkSync(join(cache, manifestOf(cache).bundle));
    expect(runIn(cache).stdout).toMatch(/ m2\n$/);
    writeFileSync(join(cache, 'manifest.json'), '{"format":2,"bundle":"../../etc/x.cjs","inputs":[],"folders":[]}');
    const again = runIn(cache);
    expect(again.stdout).toMatch(/ m2\n$/);
    expect(manifestOf(cache).bundle).toMatch(/^cli-[0-9a-f]{24}\.cjs$/);
  });

  it('never runs the old bundle when the new sources do not build', () => {
    const cache = join(root, 'cache-broken');
    write('server/cli/main.ts', main('m3'), HOUR_AGO);
    expect(runIn(cache).stdout).toMatch(/ m3\n$/);
    const good = manifestOf(cache).bundle;
    write('server/cli/main.ts', `${main('m4')}\nexport const broken = ;\n`);
    const broken = runIn(cache);
    expect(broken.stdout).not.toContain('m3');
    expect(broken.stderr).toContain(FALLBACK_NOTE); // the build error is named, then the source run fails too
    expect(broken.code).not.toBe(0);
    expect(manifestOf(cache).bundle).toBe(good); // the failed build published nothing
    write('server/cli/main.ts', main('m5'));
    expect(runIn(cache).stdout).toMatch(/ m5\n$/);
  });

  it('lets concurrent first runs all succeed and leave one consistent bundle', async () => {
    const cache = join(root, 'cache-concurrent');
    write('server/cli/main.ts', main('m6'), HOUR_AGO);
    const one = () =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const child = spawn(process.execPath, [bin, 'c'], { env: { ...process.env, NIGHTCORE_CLI_CACHE_DIR: cache } });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => done({ code, out }));
      });
    const results = await Promise.all([one(), one(), one(), one()]);
    for (const r of results) expect(r).toEqual({ code: 0, out: expect.stringMatching(/ c m6\n$/) });
    const files = readdirSync(cache);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files).toContain(manifestOf(cache).bundle);
    expect(files.filter((f) => f.endsWith('.cjs'))).toEqual([manifestOf(cache).bundle]); // identical builds, one name
  });
});
