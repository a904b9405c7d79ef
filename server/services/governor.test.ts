/**
 * The governed run, end to end through real services: verification, Guardian pre-exec, the worker
 * sandbox, post-exec, the decision record in the audit log, quarantine, replay and the kill switch.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { generateKeyPair } from '../core/crypto/ed25519';
import {
  HELLO,
  INFINITE_LOOP,
  memoryBomb,
  DEEP_RECURSION,
  UNREACHABLE,
  chatty,
  RANDOM_32,
  OPENS_FILES,
  EXIT_3,
  variant,
  wat,
} from '../core/sandbox/test-modules';
import { openHarness, type Harness } from './test-fixtures';
import { addApprover, signRelease } from './test-inbox';
import type { DecisionRecord } from '../core/guardian/decision-record';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const failed = (verdict: DecisionRecord['pre'] | null) => verdict?.rules.filter((r) => r.outcome === 'fail').map((r) => r.id) ?? [];
const STDIO = ['stdout', 'stderr', 'exit'] as const;

/** Prints an AWS-style access key id (made up; assembled so scanners do not flag this file). */
const LEAKS_KEY = wat(`(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "${'AKIA'}${'QWERTYUIOPASDFGH'}\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 21))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);

describe('run governor (real services)', () => {
  let h: Harness;
  beforeAll(() => {
    h = openHarness();
  });
  afterAll(async () => {
    await h.services.close();
  });

  const run = async (module: ReturnType<Harness['install']>, input = {}) => {
    const result = await h.services.governor.run(module, input, 'test:operator');
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
    return result.value;
  };

  it('runs hello world, allows it, and writes one decision record to the audit log', async () => {
    const module = h.install(variant(HELLO, 'hello'), { name: 'hello', capabilities: [...STDIO] });
    const { record, stdout } = await run(module, { seed: 7n });
    expect(text(stdout)).toBe('hello, world\n');
    expect(record.decision).toBe('allow');
    expect(record.execution?.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(record.pre.decision).toBe('allow');
    expect(record.post?.decision).toBe('allow');
    expect(record.module.signers.map((s) => s.keyid)).toEqual([h.publisher.keyid]);
    expect(record.policy).toMatchObject({ name: 'default', revision: 3 });
    expect(record.policy.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.execution!.used.fuel).toBeGreaterThan(0);
    expect(record.granted.limits.fuel).toBe(100_000_000);

    const events = h.services.audit.page({ subject: `run:${record.runId}` });
    if (!events.ok) throw new Error(events.message);
    expect(events.value.events.map((e) => e.action).sort()).toEqual(['run.decided', 'run.started']);
    const decided = events.value.events.find((e) => e.action === 'run.decided')!;
    expect(JSON.parse(decided.payload)).toEqual(JSON.parse(JSON.stringify(record)));
    expect(h.services.audit.verify().ok).toBe(true);
  });

  it('stops an infinite loop at exactly its fuel budget, deterministically; one failure denies the run without quarantine', async () => {
    const module = h.install(variant(INFINITE_LOOP, 'spinner'), { name: 'spinner', capabilities: [], limits: { fuel: 50_000 } });
    const first = await run(module);
    expect(first.record.execution?.outcome.kind).toBe('out_of_fuel');
    expect(first.record.execution?.used.fuel).toBe(50_000);
    expect(first.record.decision).toBe('deny');
    expect(failed(first.record.post)).toContain('outcome_allowed');
    expect(first.record.quarantine).toBeNull();

    const second = await run(module);
    expect(second.record.execution?.used.fuel).toBe(50_000);
    expect(second.record.execution?.outputSha256).toBe(first.record.execution?.outputSha256);
  });

  it('quarantines a module whose output leaks a secret, denies it before running until released', async () => {
    const module = h.install(variant(LEAKS_KEY, 'leaker'), { name: 'leaker', capabilities: [...STDIO] });
    const first = await run(module);
    expect(failed(first.record.post)).toEqual(['output_patterns']);
    expect(first.record.quarantine).toMatchObject({ source: 'post_exec', reason: expect.stringContaining('output_patterns') });

    // Quarantined: denied before it runs, with the rule named.
    const second = await run(module);
    expect(second.record.execution).toBeNull();
    expect(failed(second.record.pre)).toContain('quarantined');

    // The default policy's quorum is one approver: one signed release statement releases it.
    const released = signRelease(h.services, addApprover(h.services, 'on-call'), module.wasmSha256, 'investigated: test key');
    expect(released).toMatchObject({ ok: true, value: { released: true } });
    const third = await run(module);
    expect(third.record.execution?.outcome).toEqual({ kind: 'ok', exitCode: 0 });
  });

  it('quarantines after repeated post-exec failures across runs (the fifth, under the default policy)', async () => {
    const module = h.install(variant(UNREACHABLE, 'flaky'), { name: 'flaky', capabilities: [] });
    const quarantines: boolean[] = [];
    for (let i = 0; i < 5; i++) quarantines.push((await run(module)).record.quarantine !== null);
    expect(quarantines).toEqual([false, false, false, false, true]);
  });

  it('reports a memory bomb as memory_limit with peak memory at the cap', async () => {
    const module = h.install(variant(memoryBomb('trap'), 'bomb'), { name: 'bomb', capabilities: [], limits: { memoryPages: 4 } });
    const { record } = await run(module);
    expect(record.execution?.outcome.kind).toBe('memory_limit');
    expect(record.execution?.used.peakMemoryPages).toBe(4);
    expect(record.decision).toBe('deny');
  });

  it('reports deep recursion and traps as traps, and a non-zero exit as a post-exec denial', async () => {
    const deep = await run(h.install(variant(DEEP_RECURSION, 'deep'), { name: 'deep', capabilities: [] }));
    expect(deep.record.execution?.outcome).toEqual({ kind: 'trap', trap: 'stack_overflow' });
    const trap = await run(h.install(variant(UNREACHABLE, 'trap'), { name: 'trap', capabilities: [] }));
    expect(trap.record.execution?.outcome).toEqual({ kind: 'trap', trap: 'unreachable' });
    const exit3 = await run(h.install(variant(EXIT_3, 'exit3'), { name: 'exit3', capabilities: ['exit'] }));
    expect(exit3.record.execution?.outcome).toEqual({ kind: 'ok', exitCode: 3 });
    expect(failed(exit3.record.post)).toEqual(['exit_code']);
  });

  it('caps huge output at the granted byte limit', async () => {
    const module = h.install(variant(chatty(5000), 'chatty'), { name: 'chatty', capabilities: [...STDIO], limits: { outputBytes: 10_000 } });
    const { record, stdout, stderr } = await run(module);
    expect(stdout.length + stderr.length).toBe(10_000);
    expect(record.execution?.outputTruncated).toBe(true);
    expect(record.execution?.used.outputBytes).toBe(10_000);
  });

  it('denies before running a module that imports functions it was not granted, naming the rule', async () => {
    const module = h.install(variant(OPENS_FILES, 'opener'), { name: 'opener', capabilities: [...STDIO] });
    const { record } = await run(module);
    expect(record.execution).toBeNull();
    expect(record.decision).toBe('deny');
    expect(failed(record.pre)).toContain('imports_allowed');
    const rule = record.pre.rules.find((r) => r.id === 'imports_allowed')!;
    expect(rule.explanation).toContain('env.sneaky');
    expect(rule.explanation).toContain('JavaScript host');
  });

  it('refuses an untrusted signer at import, and denies a module whose key was revoked after import', async () => {
    const stranger = generateKeyPair();
    const refused = h.services.modules.importFolder(h.bundle(variant(HELLO, 'stranger'), { name: 'stranger' }, stranger), 'test:operator');
    expect(refused.ok ? 'imported' : refused.code).toBe('UNTRUSTED_KEY');

    const other = generateKeyPair();
    const added = h.services.trust.add({ publicKey: other.publicKey, role: 'publisher', name: 'soon revoked' }, 'test:admin');
    if (!added.ok) throw new Error(added.message);
    const module = h.install(variant(HELLO, 'revoked-later'), { name: 'revoked-later', capabilities: [...STDIO] }, other);
    // Back-dated revocation: the compromise began before the import.
    h.services.trust.revoke(added.value.keyid, 'key leaked', 'test:admin', new Date(Date.now() - 60_000));
    const { record } = await run(module);
    expect(record.execution).toBeNull();
    expect(record.verification).toMatchObject({ ok: false, code: 'KEY_REVOKED' });
    expect(failed(record.pre)).toContain('signature_trusted');
  });

  it('denies a module an operator quarantined', async () => {
    const module = h.install(variant(HELLO, 'suspicious'), { name: 'suspicious', capabilities: [...STDIO] });
    h.services.quarantine.add({ moduleName: module.name, wasmSha256: module.wasmSha256, reason: 'reported by on-call', source: 'manual' }, 'test:operator');
    const { record } = await run(module);
    expect(record.execution).toBeNull();
    expect(failed(record.pre)).toEqual(['quarantined']);
  });

  it('replays a recorded run identically (same seed, same random bytes, same fuel)', async () => {
    const module = h.install(variant(RANDOM_32, 'dice'), { name: 'dice', capabilities: ['random', ...STDIO] });
    const { record, stdout } = await run(module, { seed: 12345n });
    expect(stdout.length).toBe(32);
    const again = await run(module, { seed: 12345n });
    expect(Buffer.from(again.stdout).equals(Buffer.from(stdout))).toBe(true);
    const other = await run(module, { seed: 54321n });
    expect(Buffer.from(other.stdout).equals(Buffer.from(stdout))).toBe(false);

    const replay = await h.services.governor.replay(record.runId, 'test:operator');
    if (!replay.ok) throw new Error(replay.message);
    expect(replay.value.identical).toBe(true);
    expect(replay.value.replayed.fuelUsed).toBe(record.execution!.used.fuel);
    const missing = await h.services.governor.replay('no-such-run', 'test:operator');
    expect(missing.ok ? 'found' : missing.code).toBe('RUN_NOT_FOUND');
  });

  it('kill switch aborts an in-flight run and is audited', async () => {
    const module = h.install(variant(INFINITE_LOOP, 'forever'), { name: 'forever', capabilities: [], limits: { fuel: 1e15, wallMs: 60_000 } });
    const pending = h.services.governor.run(module, {}, 'test:operator');
    // Wait until the run is actually executing in a worker (no fixed sleep).
    await expect.poll(() => h.services.backend().stats().running, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(h.services.killAll('incident drill', 'test:admin')).toBe(1);
    const result = await pending;
    if (!result.ok) throw new Error(result.message);
    expect(result.value.record.execution?.outcome).toEqual({ kind: 'denied', reason: 'kill switch: incident drill' });
    const events = h.services.audit.page({ action: 'sandbox.kill_switch' });
    expect(events.ok && events.value.events.map((e) => JSON.parse(e.payload))).toEqual([{ reason: 'incident drill', killed: 1 }]);
  });

  it('fails closed: when the audit log refuses run.started, the module does not run', async () => {
    const module = h.install(variant(HELLO, 'no-audit'), { name: 'no-audit', capabilities: [...STDIO] });
    const before = h.services.backend().stats().completed;
    const sqlite = h.services.handle.sqlite;
    sqlite.exec("CREATE TEMP TRIGGER refuse_run_started BEFORE INSERT ON audit_events WHEN NEW.action = 'run.started' BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END");
    try {
      const result = await h.services.governor.run(module, {}, 'test:operator');
      expect(result.ok ? 'ran' : result.code).toBe('AUDIT_FAILED');
    } finally {
      sqlite.exec('DROP TRIGGER refuse_run_started');
    }
    expect(h.services.backend().stats().completed).toBe(before);
    expect(sqlite.prepare("SELECT count(*) AS n FROM runs WHERE module_name = 'no-audit'").get()).toEqual({ n: 0 });
  });

  it('rejects oversized input with a clear error and records nothing', async () => {
    const module = h.install(variant(HELLO, 'big-input'), { name: 'big-input', capabilities: [...STDIO] });
    const result = await h.services.governor.run(module, { args: Array.from({ length: 65 }, () => 'x') }, 'test:operator');
    expect(result.ok ? 'ran' : result.code).toBe('INPUT_TOO_LARGE');
  });
});

describe('run governor on the process backend (real bubblewrap jails)', () => {
  it('runs through the same governor and the decision record names the process backend', async () => {
    const h = openHarness({ backend: 'process', poolSize: 1 });
    try {
      const module = h.install(variant(HELLO, 'jailed'), { name: 'jailed', capabilities: [...STDIO] });
      const result = await h.services.governor.run(module, { seed: 7n }, 'test:operator');
      if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
      expect(text(result.value.stdout)).toBe('hello, world\n');
      expect(result.value.record.decision).toBe('allow');
      expect(result.value.record.backend).toEqual({ kind: 'process' });
      const replay = await h.services.governor.replay(result.value.record.runId, 'test:operator');
      expect(replay.ok && replay.value.identical).toBe(true);
    } finally {
      await h.services.close();
    }
  });
});
