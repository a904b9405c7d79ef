/**
 * Decision records as an earlier commit really wrote them, for the reader tests
 * (server/core/guardian/decision-record-versions.test.ts) and the published conformance vectors.
 *
 *   node bin/run-ts.mjs scripts/make-record-vectors.ts <commit> [testdata/records/<commit>]
 *
 * Checks the commit out in a temporary worktree and drives ITS OWN command line (keygen, trust add,
 * init, sign, import, run, call, audit export), so every record is written by that commit's code,
 * never re-created by today's. It writes the whole audit log as exported (JSON Lines: each event's
 * payload as written and its hash), the signed bundles and inputs the runs used (so the runs can be
 * replayed), and runs.json saying which run used what. The publisher's private key is generated in
 * the temporary folder and thrown away. Like testdata/upgrade, a committed folder is history: make a
 * new one for a new commit, never regenerate an old one.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { ECHO_STDIN, EXIT_3, HELLO, INFINITE_LOOP, LEAKS_KEY, variant } from '../server/core/sandbox/test-modules';
import { wat } from '../server/core/wasm/test-wat';

const commit = process.argv[2];
if (!commit) {
  console.error('usage: make-record-vectors.ts <commit> [out-dir]');
  process.exit(2);
}
const root = resolve(import.meta.dirname ?? __dirname, '..');
const short = execFileSync('git', ['-C', root, 'rev-parse', '--short', commit], { encoding: 'utf8' }).trim();
const out = resolve(process.argv[3] ?? join(root, 'testdata', 'records', short));
if (existsSync(out) && readdirSync(out).length > 0) {
  console.error(`${out} is not empty: committed records are history, make a new folder instead`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'nightcore-records-'));
const tree = join(work, 'checkout');
execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', tree, short], { stdio: 'ignore' });
symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
// The commit's CLI from source through tsx (the bundle launcher of later commits would write a cache).
const runner = join(tree, 'records-cli.mjs');
writeFileSync(runner, `import { register } from 'tsx/esm/api';\nregister();\nconst { main } = await import('./server/cli/main.ts');\nprocess.exitCode = await main(process.argv.slice(2));\n`);
const data = join(work, 'data');
const files = join(work, 'files');
mkdirSync(files, { recursive: true });

function cli(args: readonly string[], expectExit: readonly number[] = [0]): string {
  const r = spawnSync(process.execPath, [runner, ...args], {
    cwd: tree,
    env: { ...process.env, NIGHTCORE_DATA: data, NIGHTCORE_ADMIN_PASSWORD: 'records-admin-password-1', NIGHTCORE_POOL_SIZE: '1', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  if (!expectExit.includes(r.status ?? -1)) throw new Error(`nightcore ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const has = (command: string) => existsSync(join(tree, 'server', 'cli', `commands-${command}.ts`));
const runHelp = () => cli(['run', '--help']);

const STDIO = ['--capability', 'stdout', '--capability', 'stderr', '--capability', 'exit'];
const ADDER = wat(`(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`);
const modules: { name: string; wasm: Uint8Array; init: string[] }[] = [
  { name: 'hello', wasm: variant(HELLO, `records-${short}-hello`), init: STDIO },
  { name: 'echo', wasm: variant(ECHO_STDIN, `records-${short}-echo`), init: ['--capability', 'stdin', '--capability', 'args', ...STDIO] },
  { name: 'leaker', wasm: variant(LEAKS_KEY, `records-${short}-leaker`), init: STDIO },
  { name: 'spinner', wasm: variant(INFINITE_LOOP, `records-${short}-spinner`), init: ['--fuel', '50000'] },
  { name: 'exit3', wasm: variant(EXIT_3, `records-${short}-exit3`), init: ['--capability', 'exit'] },
  { name: 'adder', wasm: variant(ADDER, `records-${short}-adder`), init: ['--entry', 'add'] },
];

try {
  cli(['keygen', '--out', join(work, 'keys'), '--name', 'publisher']);
  cli(['trust', 'add', join(work, 'keys', 'publisher.pub'), '--role', 'publisher', '--name', 'records publisher']);
  for (const m of modules) {
    const wasmFile = join(files, `${m.name}.wasm`);
    writeFileSync(wasmFile, m.wasm);
    const bundle = join(work, 'bundles', m.name);
    cli(['init', wasmFile, '--name', m.name, '--version', '1.0.0', '--out', bundle, ...m.init]);
    cli(['sign', bundle, '--key', join(work, 'keys', 'publisher.key')]);
    cli(['import', bundle]);
  }
  const stdinFile = join(work, 'inputs', 'stdin.txt');
  mkdirSync(join(work, 'inputs', 'tree', 'sub'), { recursive: true });
  writeFileSync(stdinFile, 'read from stdin\n');
  writeFileSync(join(work, 'inputs', 'tree', 'a.txt'), 'a file the run can read\n');
  writeFileSync(join(work, 'inputs', 'tree', 'sub', 'b.txt'), 'another\n');

  const runs: { module: string; command: string[]; stdin?: string; dir?: string }[] = [];
  const record = (module: string, command: string[], extra: { stdin?: string; dir?: string } = {}) => {
    cli(command, [0, 1]);
    runs.push({ module, command: command.map((a) => a.replace(work, '<work>')), ...extra });
  };
  record('hello', ['run', 'hello']);
  record('echo', ['run', 'echo', '--stdin', stdinFile, '--', 'first', 'second'], { stdin: 'inputs/stdin.txt' });
  record('leaker', ['run', 'leaker']); // output pattern: post-exec deny, quarantined
  record('leaker', ['run', 'leaker']); // quarantined: pre-exec deny
  record('spinner', ['run', 'spinner']); // out of fuel
  record('exit3', ['run', 'exit3']);
  if (has('call')) record('adder', ['call', 'adder', 'add', '--', '2', '40']);
  if (runHelp().includes('--dir')) {
    record('hello', ['run', 'hello', '--dir', `${join(work, 'inputs', 'tree')}::/data`, '--env', 'NOT_ALLOWED=1'], { dir: 'inputs/tree' });
  }
  cli(['audit', 'export', '--format', 'jsonl', '--out', join(work, 'audit.jsonl')]);

  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'audit.jsonl'), readFileSync(join(work, 'audit.jsonl')));
  cpSync(join(work, 'bundles'), join(out, 'bundles'), { recursive: true });
  cpSync(join(work, 'inputs'), join(out, 'inputs'), { recursive: true });
  cpSync(join(work, 'keys', 'publisher.pub'), join(out, 'publisher.pub')); // public only: the test trusts it to import the bundles
  const decided = readFileSync(join(work, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; subject: string });
  const runIds = decided.filter((e) => e.action === 'run.decided').map((e) => e.subject.slice('run:'.length));
  if (runIds.length !== runs.length) throw new Error(`expected ${runs.length} decided runs, the log has ${runIds.length}`);
  writeFileSync(join(out, 'runs.json'), `${JSON.stringify(runs.map((r, i) => ({ runId: runIds[i], ...r })), null, 2)}\n`);
  const subject = execFileSync('git', ['-C', root, 'log', '-1', '--format=%s', short], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(out, 'README.md'),
    `# Decision records written by ${short}\n\n${subject.slice(0, 160)}\n\nMade with \`scripts/make-record-vectors.ts ${short}\`: that commit's own CLI signed, imported and ran the\n` +
      'bundles here and exported its audit log (`audit.jsonl`). Never edit or regenerate: it stands for what that commit wrote.\n' +
      'The publisher\'s private key was thrown away; `publisher.pub` is its public key.\n',
  );
  console.log(`wrote ${out}: ${runIds.length} decision records`);
} finally {
  execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', tree], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
}
