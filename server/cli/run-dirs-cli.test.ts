/** `nightcore run --dir/--save/--env` end to end, in process: the real command over real services and a signed bundle. */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './commands-runs';
import { parseCommandArgs } from './command';
import { EXIT_OK, EXIT_REJECTED, type Out } from './io';
import { openHarness } from '../services/test-fixtures';
import { WRITES_FILE, wat } from '../core/sandbox/test-modules';

const TRAPS_AFTER_WRITING = wat(`(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "out.txt")
  (func (export "_start")
    (drop (call $open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 7) (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
    unreachable))`);

function capture() {
  const data: unknown[] = [];
  const out: Out = { json: true, line: () => undefined, error: () => undefined, data: (v) => data.push(v), dataStreamed: async (v) => void data.push(v) };
  return { out, data };
}

describe('nightcore run --dir / --save / --env', () => {
  let dataDir: string;
  let policy: string;
  let writer: string;
  let trapper: string;
  beforeAll(async () => {
    const p = JSON.parse(readFileSync(join(__dirname, '../../policies/default.json'), 'utf8'));
    p.capabilities = [...p.capabilities, 'fs.read', 'fs.write'];
    p.env = ['ALLOWED'];
    // The policy file seeds the data folder's first revision; later starts use the database's.
    policy = join(mkdtempSync(join(tmpdir(), 'nightcore-files-policy-')), 'files-policy.json');
    writeFileSync(policy, JSON.stringify(p));
    const h = openHarness({ policyPath: policy });
    dataDir = h.dataDir;
    const caps = { capabilities: ['fs.read' as const, 'fs.write' as const, 'environ' as const] };
    writer = h.bundle(WRITES_FILE, { name: 'cli-writer', ...caps });
    trapper = h.bundle(TRAPS_AFTER_WRITING, { name: 'cli-trapper', ...caps });
    await h.services.close();
    mkdirSync(join(dataDir, 'in'));
    writeFileSync(join(dataDir, 'in', 'a.txt'), 'alpha');
  });
  const cli = async (argv: string[]) => {
    const parsed = parseCommandArgs(run, [...argv, '--data', dataDir, '--policy', policy, '--json']);
    const c = capture();
    const code = await run.run({ values: parsed.values, positionals: parsed.positionals, out: c.out });
    return { code, data: c.data[0] as Record<string, unknown> };
  };

  it('saves an allowed run’s folder to a new host folder and leaves the input folder untouched', async () => {
    const target = join(dataDir, 'out-allowed');
    const r = await cli([writer, '--dir', `${join(dataDir, 'in')}::/data`, '--save', `/data::${target}`, '--env', 'ALLOWED=1', '--env', 'OTHER=2']);
    expect(r.code).toBe(EXIT_OK);
    expect(readFileSync(join(target, 'out.txt'), 'utf8')).toBe('written in the sandbox');
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('alpha');
    expect(readdirSync(join(dataDir, 'in'))).toEqual(['a.txt']);
    const record = r.data.record as { input: { env: object; envWithheld: string[] } };
    expect(record.input.env).toEqual({ ALLOWED: '1' });
    expect(record.input.envWithheld).toEqual(['OTHER']);
  });

  it('writes nothing for a denied run', async () => {
    const target = join(dataDir, 'out-denied');
    const r = await cli([trapper, '--dir', `${join(dataDir, 'in')}::/data`, '--save', `/data::${target}`]);
    expect(r.code).toBe(EXIT_REJECTED);
    expect(r.data.outputsWithheld).toBe(true);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses an existing --save folder before running anything', async () => {
    const r = await cli([writer, '--dir', `${join(dataDir, 'in')}::/data`, '--save', `/data::${join(dataDir, 'in')}`]);
    expect(r.code).toBe(EXIT_REJECTED);
    expect(r.data).toMatchObject({ ok: false, code: 'SAVE_TARGET_EXISTS' });
    expect(readdirSync(join(dataDir, 'in'))).toEqual(['a.txt']);
  });
});
