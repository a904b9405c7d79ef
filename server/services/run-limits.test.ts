/**
 * Regressions (issue 8) for limits through the real run path: one source of truth for the limits
 * (the effective grant), so the dry run and the real run agree and a deny names the rule; and a
 * 10M-element table ends as a recorded outcome instead of killing the process.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wat } from '../core/sandbox/test-modules';
import { openHarness, type Harness } from './test-fixtures';

const failedRules = (v: { rules: readonly { id: string; outcome: string }[] } | null) => v?.rules.filter((r) => r.outcome === 'fail').map((r) => r.id) ?? [];

const memoryOf = (pages: number) => wat(`(module (memory ${pages}) (func (export "_start")))`);
const TEN_MILLION_TABLE = wat(`(module (table 10000000 funcref) (memory 1) (func (export "_start")))`);

describe('limits: the default policy', () => {
  let h: Harness;
  beforeAll(() => {
    h = openHarness();
  });
  afterAll(() => h.services.close());

  it('dry run and real run agree when the manifest asks for less memory than the module starts with, and the deny names the rule', async () => {
    // The policy allows 256 pages; the manifest asks for 4; the module starts with 8.
    const module = h.install(memoryOf(8), { name: 'mem8', capabilities: [], limits: { memoryPages: 4 } });
    const dry = h.services.governor.assess(module, 'test:operator');
    if (!dry.ok) throw new Error(dry.message);
    expect(dry.value.pre.decision).toBe('deny');
    expect(failedRules(dry.value.pre)).toEqual(['max_declared_memory']);

    const ran = await h.services.governor.run(module, {}, 'test:operator');
    if (!ran.ok) throw new Error(ran.message);
    expect(ran.value.record.decision).toBe('deny');
    expect(ran.value.record.execution).toBeNull();
    expect(failedRules(ran.value.record.pre)).toEqual(['max_declared_memory']);
    expect(ran.value.record.granted.limits.memoryPages).toBe(4);
  });

  it('denies a 10M-element table before running, naming max_table_elements, with a decision record', async () => {
    const module = h.install(TEN_MILLION_TABLE, { name: 'table10m', capabilities: [] });
    const ran = await h.services.governor.run(module, {}, 'test:operator');
    if (!ran.ok) throw new Error(ran.message);
    expect(ran.value.record.decision).toBe('deny');
    expect(failedRules(ran.value.record.pre)).toEqual(['max_table_elements']);
    expect(ran.value.record.granted.limits.tableElements).toBe(65_536);
    const events = h.services.audit.page({ subject: `run:${ran.value.record.runId}` });
    expect(events.ok && events.value.events.map((e) => e.action)).toEqual(['run.decided']);
  });
});

describe('limits: a policy without the pre-exec limit rules', () => {
  let h: Harness;
  beforeAll(() => {
    // The sandbox enforces the grant on its own: the pre rules are an early, explained refusal.
    const policy = JSON.parse(readFileSync(join(import.meta.dirname, '../../policies/default.json'), 'utf8'));
    delete policy.pre.max_table_elements;
    delete policy.pre.max_declared_memory;
    const path = join(mkdtempSync(join(tmpdir(), 'nightcore-policy-')), 'no-limit-rules.json');
    writeFileSync(path, JSON.stringify(policy));
    h = openHarness({ policyPath: path });
  });
  afterAll(() => h.services.close());

  it('ends a 10M-element table as memory_limit with its decision record; this process survives', async () => {
    const module = h.install(TEN_MILLION_TABLE, { name: 'table10m', capabilities: [] });
    const ran = await h.services.governor.run(module, {}, 'test:operator');
    if (!ran.ok) throw new Error(ran.message);
    expect(ran.value.record.execution?.outcome).toEqual({ kind: 'memory_limit' });
    expect(ran.value.record.decision).toBe('deny');
    expect(failedRules(ran.value.record.post)).toContain('outcome_allowed');
    const events = h.services.audit.page({ subject: `run:${ran.value.record.runId}` });
    expect(events.ok && events.value.events.map((e) => e.action).sort()).toEqual(['run.decided', 'run.started']);
  });

  it('ends a memory that starts above the grant as memory_limit too, never as an unexplained deny', async () => {
    const module = h.install(memoryOf(8), { name: 'mem8', capabilities: [], limits: { memoryPages: 4 } });
    const ran = await h.services.governor.run(module, {}, 'test:operator');
    if (!ran.ok) throw new Error(ran.message);
    expect(ran.value.record.execution?.outcome).toEqual({ kind: 'memory_limit' });
    expect(failedRules(ran.value.record.post)).toContain('outcome_allowed');
  });
});
