/**
 * Real programs built from source (testdata/programs) through the whole governed path with the
 * shipped default policy: the defaults fit them, an ordinary failure denies one run without
 * quarantine, and calls probing beyond the grant are judged by denied_calls and quarantine.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { openHarness, type Harness } from './test-fixtures';
import { program } from '../core/sandbox/test-programs';
import { wat, variant } from '../core/sandbox/test-modules';
import type { DecisionRecord } from '../core/guardian/decision-record';

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const failed = (v: DecisionRecord['post']) => v?.rules.filter((r) => r.outcome === 'fail').map((r) => r.id) ?? [];

/** Calls sock_recv on fd 3 twelve times: no grant allows it, so each call is refused and recorded. */
const SOCKET_PROBE = wat(`(module
  (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    (loop $again
      (drop (call $recv (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 20)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 12))))))`);

describe('real programs under the default policy', () => {
  let h: Harness;
  beforeAll(() => {
    h = openHarness();
  });
  afterAll(async () => {
    await h.services.close();
  });
  const run = async (module: ReturnType<Harness['install']>, input = {}) => {
    const r = await h.services.governor.run(module, input, 'test:operator');
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r.value;
  };
  const C_CAPS = ['args', 'environ', 'stdout', 'stderr', 'clock', 'random', 'exit'] as const;

  it('a C program with the capabilities init infers runs and is allowed', async () => {
    const m = h.install(program('sysinfo'), { name: 'sysinfo', capabilities: [...C_CAPS], limits: { memoryPages: 16 } });
    const { record, stdout } = await run(m, { args: ['random', '8'], seed: 5n });
    expect(record.pre.decision).toBe('allow');
    expect(record.decision).toBe('allow');
    expect(text(stdout)).toMatch(/^[0-9a-f]{16}\n$/);
  });

  it('a usage error (exit 1) denies that run, releases nothing, and does not quarantine', async () => {
    const m = h.install(variant(program('sysinfo'), 'usage'), { name: 'sysinfo-usage', capabilities: [...C_CAPS], limits: { memoryPages: 16 } });
    const first = await run(m);
    expect(first.record.execution?.outcome).toEqual({ kind: 'ok', exitCode: 1 });
    expect(failed(first.record.post)).toEqual(['exit_code']);
    expect(first.record.quarantine).toBeNull();
    const second = await run(m, { args: ['exit', '0'] });
    expect(second.record.decision).toBe('allow');
  });

  it('environment variables reach the module only when the policy lists them', async () => {
    const m = h.install(variant(program('sysinfo'), 'env'), { name: 'sysinfo-env', capabilities: [...C_CAPS], limits: { memoryPages: 16 } });
    const { stdout, record } = await run(m, { args: ['env', 'API_TOKEN'], env: { API_TOKEN: 'not-for-the-module' } });
    expect(text(stdout)).toBe('API_TOKEN is not set\n');
    expect(record.input.env).toEqual({});
  });

  it('a Rust program that starts at 17 memory pages fits the default policy', async () => {
    const m = h.install(program('timekeeper'), { name: 'timekeeper', capabilities: ['args', 'environ', 'stdout', 'stderr', 'clock', 'exit'], limits: { memoryPages: 34 } });
    const { record, stdout } = await run(m, { args: ['elapsed', '10'] });
    expect(record.decision).toBe('allow');
    expect(text(stdout)).toContain('slept-at-least true');
  });

  it('probing beyond the grant: refused calls above the threshold fail denied_calls and quarantine the module', async () => {
    const m = h.install(SOCKET_PROBE, { name: 'prober', capabilities: [] });
    const { record } = await run(m);
    expect(record.execution?.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(record.execution?.capabilityDenials).toEqual([expect.objectContaining({ fn: 'sock_recv', capability: null, count: 12 })]);
    expect(failed(record.post)).toEqual(['denied_calls']);
    expect(record.quarantine).toMatchObject({ source: 'post_exec', reason: expect.stringContaining('denied_calls') });
    // The next run is refused before it starts, and the history now counts the refused calls.
    const again = await run(m);
    expect(again.record.execution).toBeNull();
    expect(again.record.threat.signals.find((s) => s.id === 'prior_capability_denials')?.fired).toBe(true);
  });
});
