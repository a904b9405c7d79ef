/**
 * CLI start-up benchmark: `node bin/run-ts.mjs bench/cli-start.bench.ts`
 * Spawns `nightcore --help` and `nightcore verify <bundle>` from the built bundle, interleaved with
 * `node -e 0` (the floor: a Node.js process that does nothing) in the same run, so load from other
 * work hits all of them alike; the ratio to the floor and the milliseconds above it are what to
 * watch. Also measured: the old start (TypeScript compiled by tsx at every start), `npx nightcore`
 * (npm's own start on top), the first start that builds the bundle, and the freshness check alone.
 * And `nightcore run <module>` end to end (process start to exit, issue 14) on a prepared data folder
 * (the module imported and run once before): hello world and the Rust `wordcount` from
 * testdata/programs, on worker threads and on the jailed process backend, interleaved with the floor;
 * the module's own time comes from the decision record (`--json`). With
 * NIGHTCORE_BENCH_BASELINE=<another checkout> the same runs of that checkout's CLI (its own bundle,
 * the same data folder) take turns with these, for a before/after measured side by side.
 * Writes bench/results/cli-start.{json,md}.
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'nightcore.mjs');
const RUNS = 40;
const SOURCE_RUNS = 8; // the tsx start takes about a second: fewer samples
const BUILD_RUNS = 3;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const work = mkdtempSync(join(os.tmpdir(), 'nightcore-cli-bench-'));
const env = { ...process.env, NIGHTCORE_DATA: join(work, 'data') };

/**
 * CPU time (user + system) of each process as well as its wall time, through GNU time when the
 * machine has it: on a shared machine the wall time mostly measures the queue for a core, while
 * the CPU time is the work a start really costs.
 */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpu = { floor: [] as number[], help: [] as number[], verify: [] as number[] };

/** Wall time of one process from spawn to exit, in ms; fails the bench if the command fails. */
function timed(args: string[], extraEnv: Record<string, string> = {}, cpuSeries?: number[], cwd = work): number {
  const [command, argv] = GNU_TIME && cpuSeries ? [GNU_TIME, ['-f', 'cpu %U %S', process.execPath, ...args]] : [process.execPath, args];
  const t = performance.now();
  const r = spawnSync(command, argv, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const used = /^cpu ([\d.]+) ([\d.]+)$/m.exec(r.stderr);
  if (cpuSeries && used) cpuSeries.push((Number(used[1]) + Number(used[2])) * 1000);
  return ms;
}

// Setup, through the CLI itself: the shipped example bundle and its key in a fresh data folder. The
// first call builds the bundle if it is missing or stale; the second writes the V8 code cache.
timed([BIN, 'trust', 'add', join(ROOT, 'examples', 'example-publisher.pub'), '--role', 'publisher']);
timed([BIN, '--help']);
const verifyArgs = [BIN, 'verify', join(ROOT, 'examples', 'hello-bundle')];
timed(verifyArgs);

// `nightcore run`, on a data folder where the module is imported and has run once (the per-command
// code cache is then written): hello (the example bundle) and Rust wordcount, signed here with a key
// made for the bench (no private key is committed).
const BASELINE = process.env.NIGHTCORE_BENCH_BASELINE;
const RUN_RUNS = 20;
const keys = join(work, 'keys');
timed([BIN, 'keygen', '--out', keys, '--name', 'bench']);
timed([BIN, 'trust', 'add', join(keys, 'bench.pub'), '--role', 'publisher']);
timed([BIN, 'init', join(ROOT, 'testdata', 'programs', 'wasm', 'wordcount.wasm'), '--name', 'wordcount', '--version', '1.0.0', '--capability', 'args', '--capability', 'environ', '--capability', 'stdin', '--capability', 'stdout', '--capability', 'stderr', '--capability', 'exit', '--out', join(work, 'wordcount-bundle')]);
timed([BIN, 'sign', join(work, 'wordcount-bundle'), '--key', join(keys, 'bench.key')]);
const stdinFile = join(work, 'words.txt');
writeFileSync(stdinFile, 'the quick brown fox jumps over the lazy dog\n'.repeat(100));
timed([BIN, 'run', join(ROOT, 'examples', 'hello-bundle')]);
timed([BIN, 'run', join(work, 'wordcount-bundle'), '--stdin', stdinFile, '--', '-']);
const RUN_CASES = [
  { id: 'hello-worker', title: '`nightcore run hello` (worker threads)', args: ['run', 'hello', '--json'], env: {} },
  { id: 'hello-process', title: '`nightcore run hello` (process backend, bubblewrap)', args: ['run', 'hello', '--json'], env: { NIGHTCORE_BACKEND: 'process' } },
  { id: 'wordcount-worker', title: '`nightcore run wordcount --stdin words.txt -- -` (Rust, worker threads)', args: ['run', 'wordcount', '--json', '--stdin', stdinFile, '--', '-'], env: {} },
  { id: 'wordcount-process', title: '`nightcore run wordcount --stdin words.txt -- -` (Rust, process backend)', args: ['run', 'wordcount', '--json', '--stdin', stdinFile, '--', '-'], env: { NIGHTCORE_BACKEND: 'process' } },
] as const;
type RunSeries = { wall: number[]; cpu: number[]; moduleMs: number[] };
const runSeries = (): RunSeries => ({ wall: [], cpu: [], moduleMs: [] });
const runs: Record<string, { current: RunSeries; baseline: RunSeries }> = Object.fromEntries(RUN_CASES.map((c) => [c.id, { current: runSeries(), baseline: runSeries() }]));
const runFloor: number[] = [];

/** One `nightcore run --json`: wall and CPU time of the process, and the module's own time from its record. */
function timedRun(bin: string, c: (typeof RUN_CASES)[number], into: RunSeries): void {
  const [command, argv] = GNU_TIME ? [GNU_TIME, ['-f', 'cpu %U %S', process.execPath, bin, ...c.args]] : [process.execPath, [bin, ...c.args]];
  const t = performance.now();
  const r = spawnSync(command, argv, { cwd: work, env: { ...env, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${bin} ${c.args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const record = (JSON.parse(r.stdout) as { record: { decision: string; execution: { used: { wallMs: number } } } }).record;
  if (record.decision !== 'allow') throw new Error(`${c.id}: not allowed`);
  into.wall.push(ms);
  into.moduleMs.push(record.execution.used.wallMs);
  const used = /^cpu ([\d.]+) ([\d.]+)$/m.exec(r.stderr);
  if (used) into.cpu.push((Number(used[1]) + Number(used[2])) * 1000);
}
const BASELINE_BIN = BASELINE ? join(BASELINE, 'bin', 'nightcore.mjs') : undefined;
if (BASELINE_BIN) {
  // Its bundle built, then its first command writes its code cache, as `--help` did for this tree above
  // (the old launcher kept one cache, written by whichever command ran first after a build).
  timed([BASELINE_BIN, '--help']);
  for (const c of RUN_CASES) timedRun(BASELINE_BIN, c, runSeries());
}
for (let i = 0; i < RUN_RUNS; i++) {
  runFloor.push(timed(['-e', '0']));
  for (const c of RUN_CASES) {
    timedRun(BIN, c, runs[c.id]!.current);
    if (BASELINE_BIN) timedRun(BASELINE_BIN, c, runs[c.id]!.baseline);
  }
}

const series = { floor: [] as number[], help: [] as number[], verify: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  series.floor.push(timed(['-e', '0'], {}, cpu.floor));
  series.help.push(timed([BIN, '--help'], {}, cpu.help));
  series.verify.push(timed(verifyArgs, {}, cpu.verify));
}

// The old start: TypeScript compiled by tsx's loader at every start (what bin/nightcore.mjs did).
const fromSource = join(work, 'from-source.mjs');
writeFileSync(
  fromSource,
  `import { register } from ${JSON.stringify(pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs')).href)};
register();
const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'server', 'cli', 'main.ts')).href)});
process.exitCode = await main(process.argv.slice(2));
`,
);
const sourceFloor: number[] = [];
const sourceHelp: number[] = [];
for (let i = 0; i < SOURCE_RUNS; i++) {
  sourceFloor.push(timed(['-e', '0']));
  sourceHelp.push(timed([fromSource, '--help']));
}

// `npx nightcore`, as the README's examples call it: npm's own start comes on top of the CLI's.
const NPX_CLI = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npx-cli.js');
const npxFloor: number[] = [];
const npxHelp: number[] = [];
if (existsSync(NPX_CLI)) {
  for (let i = 0; i < SOURCE_RUNS; i++) {
    npxFloor.push(timed(['-e', '0']));
    npxHelp.push(timed([NPX_CLI, '--no-install', 'nightcore', '--help'], {}, undefined, ROOT));
  }
}

// The first start after install or after a source change: esbuild builds the bundle, then it runs.
const build: number[] = [];
for (let i = 0; i < BUILD_RUNS; i++) {
  const cacheDir = join(work, `cache-${i}`);
  build.push(timed([BIN, '--help'], { NIGHTCORE_CLI_CACHE_DIR: cacheDir }));
  rmSync(cacheDir, { recursive: true, force: true });
}

// The freshness check on its own, in process: stat every input and folder, compare with the manifest.
const inputsModule = pathToFileURL(join(ROOT, 'bin', 'cli-inputs.mjs')).href;
const { checkInputs, defaultCacheDir } = (await import(inputsModule)) as {
  checkInputs: (root: string, manifest: unknown) => { state: string };
  defaultCacheDir: (root: string) => string;
};
const manifest = JSON.parse(readFileSync(join(defaultCacheDir(ROOT), 'manifest.json'), 'utf8')) as { inputs: unknown[]; folders: unknown[] };
const check: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  const state = checkInputs(ROOT, manifest).state;
  check.push(performance.now() - t);
  if (state !== 'fresh') throw new Error('the bundle went stale during the bench');
}
rmSync(work, { recursive: true, force: true });

const summary = (xs: number[], floor: number[]) => ({
  p50: round(quantile(xs, 0.5)),
  p95: round(quantile(xs, 0.95)),
  runs: xs.length,
  overFloorP50: round(quantile(xs, 0.5) / quantile(floor, 0.5), 2),
  aboveFloorMsP50: round(quantile(xs, 0.5) - quantile(floor, 0.5)),
});
const results = {
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version, platform: `${os.platform()} ${os.arch()}`, loadavg1: round(os.loadavg()[0] ?? NaN, 2) },
  floorMs: { p50: round(quantile(series.floor, 0.5)), p95: round(quantile(series.floor, 0.95)), runs: series.floor.length },
  helpMs: summary(series.help, series.floor),
  verifyMs: summary(series.verify, series.floor),
  fromSourceHelpMs: summary(sourceHelp, sourceFloor),
  npxHelpMs: npxHelp.length ? summary(npxHelp, npxFloor) : 'npx not found beside node',
  // GNU time reports CPU seconds with two decimals: 10 ms steps, so only medians are shown.
  cpuMsP50: cpu.floor.length ? { floor: round(quantile(cpu.floor, 0.5)), help: round(quantile(cpu.help, 0.5)), verify: round(quantile(cpu.verify, 0.5)) } : 'GNU time not installed',
  firstStartWithBuildMs: { p50: round(quantile(build, 0.5)), max: round(Math.max(...build)), runs: build.length },
  freshnessCheckMs: { inputs: manifest.inputs.length, folders: manifest.folders.length, p50: round(quantile(check, 0.5), 2), p95: round(quantile(check, 0.95), 2), runs: check.length },
  run: {
    floorMs: { p50: round(quantile(runFloor, 0.5)), runs: runFloor.length },
    baseline: BASELINE ? { path: BASELINE, commit: ((r) => (r.status === 0 ? r.stdout.trim() : null))(spawnSync('git', ['-C', BASELINE, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' })) } : null,
    cases: Object.fromEntries(RUN_CASES.map((c) => {
      const d = (x: RunSeries) => ({ wallP50: round(quantile(x.wall, 0.5)), wallP95: round(quantile(x.wall, 0.95)), cpuP50: round(quantile(x.cpu, 0.5)), moduleP50: round(quantile(x.moduleMs, 0.5), 2), runs: x.wall.length });
      return [c.id, { current: d(runs[c.id]!.current), ...(BASELINE ? { baseline: d(runs[c.id]!.baseline) } : {}) }];
    })),
    targetMs: 150,
  },
};
console.log(JSON.stringify(results, null, 2));

const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('cli-start.json', dir), `${JSON.stringify(results, null, 2)}\n`);
const row = (name: string, s: ReturnType<typeof summary>) => `| ${name} | ${s.p50} / ${s.p95} ms | ×${s.overFloorP50} (+${s.aboveFloorMsP50} ms) |`;
const md = [
  '# CLI start-up benchmark',
  '',
  `${results.machine.cpu}, ${results.machine.cores} cores, node ${results.machine.node}, ${results.machine.platform}, load average ${results.machine.loadavg1} at the end`,
  '',
  '| process | p50 / p95 | vs `node -e 0` (p50) |',
  '|---|---|---|',
  `| \`node -e 0\` (floor) | ${results.floorMs.p50} / ${results.floorMs.p95} ms | ×1 |`,
  row('`nightcore --help` (bundle)', results.helpMs),
  row('`nightcore verify examples/hello-bundle` (bundle)', results.verifyMs),
  row('`nightcore --help` from source (tsx, the old start)', results.fromSourceHelpMs),
  ...(typeof results.npxHelpMs === 'string' ? [] : [row('`npx nightcore --help` (npm starts first, then the bundle)', results.npxHelpMs)]),
  '',
  typeof results.cpuMsP50 === 'string'
    ? `CPU time: ${results.cpuMsP50}.`
    : `CPU time (user + system, p50): \`node -e 0\` ${results.cpuMsP50.floor} ms, \`--help\` ${results.cpuMsP50.help} ms, \`verify\` ${results.cpuMsP50.verify} ms: on a loaded machine the wall time above is mostly waiting for a core.`,
  `First start after install or a source change (esbuild builds the bundle, then \`--help\`): p50 ${results.firstStartWithBuildMs.p50} ms, max ${results.firstStartWithBuildMs.max} ms over ${BUILD_RUNS} runs.`,
  `Freshness check alone (${results.freshnessCheckMs.inputs} input files and ${results.freshnessCheckMs.folders} folders stat'ed, in process): p50 ${results.freshnessCheckMs.p50} ms, p95 ${results.freshnessCheckMs.p95} ms.`,
  '',
  '## `nightcore run <module>`, process start to exit (issue 14)',
  '',
  `Prepared data folder (module imported and run once before); ${RUN_RUNS} runs each, taking turns with \`node -e 0\` (p50 ${results.run.floorMs.p50} ms here)${BASELINE ? ` and with the same runs of the CLI of ${BASELINE} at ${results.run.baseline?.commit ?? '?'} (before)` : ''}. ` +
    '"module" is the sandbox\'s wall time for the run, from the decision record. Target: 150 ms plus the module\'s own time.',
  '',
  `| command | wall p50 / p95 | CPU p50 | module p50 | wall − module vs 150 ms |${BASELINE ? ' before: wall p50 / CPU p50 |' : ''}`,
  `|---|---|---:|---:|---|${BASELINE ? '---|' : ''}`,
  ...RUN_CASES.map((c) => {
    const x = results.run.cases[c.id]!;
    const over = round(x.current.wallP50 - x.current.moduleP50);
    const before = 'baseline' in x && x.baseline ? ` ${x.baseline.wallP50} / ${x.baseline.cpuP50} ms |` : '';
    return `| ${c.title} | ${x.current.wallP50} / ${x.current.wallP95} ms | ${x.current.cpuP50} ms | ${x.current.moduleP50} ms | ${over} ms (${over <= 150 ? 'met' : 'NOT met'}) |${before}`;
  }),
  '',
].join('\n');
writeFileSync(new URL('cli-start.md', dir), md);
