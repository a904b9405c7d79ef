/**
 * `nightcore call` end to end through the real bin script: a signed C reactor and AssemblyScript
 * module built from source (testdata/programs), every value type, the decision record and replay of
 * a call, and the bad inputs an attacker or a tired user would try.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/nightcore.mjs');
const PROGRAMS = resolve(import.meta.dirname, '../../testdata/programs/wasm');

let work: string;
let data: string;

function nightcore(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NIGHTCORE_DATA: data, NIGHTCORE_POLICY: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function json(args: string[]) {
  const r = nightcore([...args, '--json']);
  return { code: r.code, body: JSON.parse(r.stdout) as Record<string, any> };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'nightcore-call-'));
  data = join(work, 'data');
  const keys = join(work, 'keys');
  expect(nightcore(['keygen', '--out', keys, '--name', 'pub']).code).toBe(0);
  expect(nightcore(['trust', 'add', join(keys, 'pub.pub'), '--role', 'publisher']).code).toBe(0);
  for (const [program, extra] of [['reactor', []], ['abort', ['--entry', 'check']]] as const) {
    const dir = join(work, program);
    expect(nightcore(['init', join(PROGRAMS, `${program}.wasm`), '--name', program, '--version', '1.0.0', '--out', dir, ...extra]).code).toBe(0);
    expect(nightcore(['sign', dir, '--key', join(keys, 'pub.key')]).code).toBe(0);
    expect(nightcore(['import', dir]).code).toBe(0);
  }
}, 120_000);

describe('nightcore call', () => {
  it('calls with every value type and prints typed results, one per line', () => {
    expect(nightcore(['call', 'reactor', 'add_i32', '2', '3'])).toMatchObject({ code: 0, stdout: '5 (i32)\n' });
    expect(nightcore(['call', 'reactor', 'mul_i64', '4294967296', '3']).stdout).toBe('12884901888 (i64)\n');
    expect(nightcore(['call', 'reactor', 'half_f32', '3']).stdout).toBe('1.5 (f32)\n');
    expect(nightcore(['call', 'reactor', 'hypot_f64', '3', '4']).stdout).toBe('5 (f64)\n');
    expect(nightcore(['call', 'reactor', 'mix', '--', '-1', '10', '0.5', '0.25']).stdout).toBe('9.75 (f64)\n');
    expect(nightcore(['call', 'reactor', 'half_f32', 'nan']).stdout).toBe('nan (f32)\n');
    expect(nightcore(['call', 'reactor', 'half_f32', '--', '-inf']).stdout).toBe('-inf (f32)\n');
  });

  it('runs _initialize first for a reactor, and records the call and its results in the decision record', () => {
    const r = json(['call', 'reactor', 'ready', '--seed', '9']);
    expect(r.code).toBe(0);
    expect(r.body.results).toEqual([{ type: 'i32', value: '42' }]);
    const record = r.body.record;
    expect(record.decision).toBe('allow');
    expect(record.input.entry).toBe('ready');
    expect(record.input.invocation).toEqual({ args: [], results: ['i32'] });
    expect(record.execution.returnValues).toEqual([{ type: 'i32', value: '42' }]);
    expect(record.pre.rules.find((x: { id: string }) => x.id === 'entry_exported').outcome).toBe('pass');

    const shown = json(['runs', 'show', record.runId]);
    expect(shown.body.record.input.invocation).toEqual({ args: [], results: ['i32'] });
    const replayed = json(['replay', record.runId]);
    expect(replayed.code).toBe(0);
    expect(replayed.body.identical).toBe(true);
  });

  it('records typed arguments as text, so i64 and NaN survive JSON', () => {
    // --json must come before `--`: everything after it is an argument.
    const r = { body: JSON.parse(nightcore(['call', 'reactor', 'mix', '--json', '--', '-1', '9223372036854775807', 'nan', '0']).stdout) as Record<string, any> };
    expect(r.body.record.input.invocation.args).toEqual([
      { type: 'i32', value: '-1' },
      { type: 'i64', value: '9223372036854775807' },
      { type: 'f32', value: 'nan' },
      { type: 'f64', value: '0' },
    ]);
  });

  it('refuses bad arguments before anything runs, and records nothing', () => {
    const before = (json(['runs', 'list', '--module', 'reactor', '--limit', '500']).body.runs as unknown[]).length;
    const cases: [string[], string, RegExp][] = [
      [['add_i32', '1'], 'CALL_ARGS_INVALID', /add_i32\(i32, i32\) takes 2 argument\(s\); 1 given/],
      [['add_i32', '1', '2', '3'], 'CALL_ARGS_INVALID', /takes 2 argument\(s\); 3 given/],
      [['add_i32', '4294967296', '0'], 'CALL_ARGS_INVALID', /does not fit in i32/],
      [['mul_i64', '18446744073709551616', '1'], 'CALL_ARGS_INVALID', /does not fit in i64/],
      [['half_f32', '1e39'], 'CALL_ARGS_INVALID', /too large for f32/],
      [['half_f32', 'nan:0x7fc00001'], 'CALL_ARGS_INVALID', /NaN with a payload/],
      [['add_i32', 'nan', '1'], 'CALL_ARGS_INVALID', /not an integer/],
      [['missing'], 'EXPORT_NOT_FOUND', /exports no function "missing"\. Exported functions: .*add_i32/],
      [['memory'], 'EXPORT_NOT_FOUND', /exports no function "memory"/],
    ];
    for (const [args, code, says] of cases) {
      const r = json(['call', 'reactor', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.body.code, args.join(' ')).toBe(code);
      expect(r.body.message, args.join(' ')).toMatch(says);
    }
    const after = (json(['runs', 'list', '--module', 'reactor', '--limit', '500']).body.runs as unknown[]).length;
    expect(after).toBe(before);
    expect(json(['call', 'no-such-module', 'f']).body.code).toBe('MODULE_NOT_FOUND');
    expect(nightcore(['call', 'reactor']).code).toBe(2);
  });

  it('reports a trap in the export as a denied run with no results', () => {
    const r = json(['call', 'reactor', 'div_i32', '1', '0']);
    expect(r.code).toBe(1);
    expect(r.body.results).toBeNull();
    expect(r.body.record.execution.outcome).toEqual({ kind: 'trap', trap: 'integer_divide_by_zero' });
    expect(r.body.record.quarantine).toBeNull();
  });

  it("reports AssemblyScript's abort with its decoded message, without quarantining the module", () => {
    const r = json(['call', 'abort', 'check', '0']);
    expect(r.code).toBe(1);
    expect(r.body.record.execution.outcome).toEqual({ kind: 'trap', trap: 'abort', message: 'n must be positive at abort.ts:8:3' });
    expect(r.body.record.pre.rules.find((x: { id: string }) => x.id === 'imports_allowed').explanation).toContain("AssemblyScript's env.abort");
    expect(r.body.record.quarantine).toBeNull();
    expect(nightcore(['call', 'abort', 'check', '21']).stdout).toBe('42 (i32)\n');
    const text = nightcore(['call', 'abort', 'fail']);
    expect(text.stderr).toContain('abort: déjà vu: ünïcödé ✓ at abort.ts:14:3');
  });
});
