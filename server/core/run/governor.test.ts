/**
 * The governor driven through every outcome with fake ports: no SQLite, no workers. Each test
 * checks the decision, what reached the backend, and what was written to the audit sink.
 */
import { describe, it, expect } from 'vitest';
import { ok } from '../result';
import { emptyResult } from '../sandbox/request-checks';
import { createGovernor } from './governor';
import { TEST_POLICY, busy, fakeWorld, manifestFor, ranOk, storedModule, type FakeWorld } from './test-ports';

const failedRules = (v: { rules: readonly { id: string; outcome: string }[] } | null | undefined) =>
  v?.rules.filter((r) => r.outcome === 'fail').map((r) => r.id) ?? [];
const actions = (w: FakeWorld) => w.events.map((e) => e.action);

function setup(tune: (w: FakeWorld) => void = () => undefined) {
  const world = fakeWorld();
  tune(world);
  return { world, governor: createGovernor(world.ports), module: storedModule() };
}

describe('governor: one request, one decision', () => {
  it('allows a trusted, well-behaved run: run.started, then the recorded decision naming the backend', async () => {
    const { world, governor, module } = setup();
    const r = await governor.run(module, { args: ['a'], seed: 7n }, 'user:ada');
    if (!r.ok) throw new Error(r.message);
    const { record } = r.value;
    expect(record.decision).toBe('allow');
    expect(record.backend).toEqual({ kind: 'worker-threads' });
    expect(record.approval).toEqual(world.approval);
    expect(record.execution?.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(Buffer.from(r.value.stdout).toString()).toBe('hi\n');
    expect(actions(world)).toEqual(['run.started']);
    expect(world.decided.map((d) => d.record)).toEqual([record]);
    // Exactly the grant and the input reached the backend; argv[0] is the module name.
    expect(world.backend.requests).toHaveLength(1);
    expect(world.backend.requests[0]).toMatchObject({ args: ['hello', 'a'], seed: 7n, entry: '_start', capabilities: record.granted.capabilities });
  });

  it('reports each stage of an executed run once, in order, with its duration; a run denied before running reports none', async () => {
    const seen: [string, number][] = [];
    const { world, module } = setup();
    const watched = createGovernor({ ...world.ports, onStage: (stage, ms) => seen.push([stage, ms]) });
    const r = await watched.run(module, {}, 'user:ada');
    if (!r.ok) throw new Error(r.message);
    expect(seen.map(([stage]) => stage)).toEqual(['assess', 'wait', 'started', 'sandbox', 'decide']);
    for (const [, ms] of seen) expect(ms).toBeGreaterThanOrEqual(0);
    seen.length = 0;
    world.trusted = false;
    const denied = await watched.run(module, {}, 'user:ada');
    expect(denied.ok && denied.value.record.decision).toBe('deny');
    expect(seen).toEqual([]);
  });

  it('records where each limit came from: the grant is the smaller of the manifest request and the policy cap', async () => {
    const { governor, module } = setup();
    const r = await governor.run(module, {}, 'user:ada');
    if (!r.ok) throw new Error(r.message);
    const { granted } = r.value.record;
    const { requested, policy } = granted.limitSources!;
    expect(requested).toMatchObject(manifestFor(module).limits);
    expect(policy).toMatchObject({ fuel: TEST_POLICY.limits.fuel, wallMs: TEST_POLICY.limits.wallMs });
    for (const key of ['fuel', 'memoryPages', 'wallMs', 'outputBytes', 'tableElements'] as const) {
      expect(granted.limits[key]).toBe(Math.min(requested[key], policy[key]));
    }
  });

  it('denies before running when the signature no longer verifies, and nothing reaches the backend', async () => {
    const { world, governor, module } = setup((w) => (w.trusted = false));
    const r = await governor.run(module, {}, 'user:ada');
    if (!r.ok) throw new Error(r.message);
    expect(r.value.record.decision).toBe('deny');
    expect(r.value.record.execution).toBeNull();
    expect(r.value.record.backend).toBeNull();
    expect(failedRules(r.value.record.pre)).toContain('signature_trusted');
    expect(world.backend.requests).toHaveLength(0);
    expect(actions(world)).toEqual([]); // no run.started: nothing was going to run
    expect(world.decided).toHaveLength(1);
  });

  it('denies a quarantined module before running', async () => {
    const { world, governor, module } = setup();
    world.quarantined.add(module.wasmSha256);
    const r = await governor.run(module, {}, 'user:ada');
    expect(r.ok && failedRules(r.value.record.pre)).toEqual(['quarantined']);
    expect(world.backend.requests).toHaveLength(0);
  });

  it('asks the approvals port: a policy that requires approval denies until it says yes', async () => {
    const requiring = (w: FakeWorld) => {
      const base = w.ports.policy();
      const policy = { ...base.policy, pre: { ...base.policy.pre, approval_required: { severity: 'high' as const, required: true } } };
      (w.ports as { policy: typeof w.ports.policy }).policy = () => ({ ...base, policy });
    };
    const denied = setup(requiring);
    const r1 = await denied.governor.run(denied.module, {}, 'user:ada');
    expect(r1.ok && failedRules(r1.value.record.pre)).toEqual(['approval_required']);

    const approved = setup((w) => {
      requiring(w);
      w.approval = { approved: true, source: 'inbox', detail: 'approved by bob and carol' };
    });
    const r2 = await approved.governor.run(approved.module, {}, 'user:ada');
    expect(r2.ok && r2.value.record.decision).toBe('allow');
    expect(r2.ok && r2.value.record.approval?.source).toBe('inbox');
  });

  it('denies after running when post-exec fails (a secret in the output) and quarantines the module', async () => {
    const { world, governor, module } = setup();
    world.backend.script = async () => ok(ranOk('key: AKIAABCDEFGHIJKLMNOP\n'));
    const r = await governor.run(module, {}, 'user:ada');
    if (!r.ok) throw new Error(r.message);
    expect(r.value.record.decision).toBe('deny');
    expect(failedRules(r.value.record.post)).toEqual(['output_patterns']);
    expect(r.value.record.quarantine?.source).toBe('post_exec');
    expect(world.quarantined.has(module.wasmSha256)).toBe(true);
  });

  it('records each sandbox outcome as it ended (trap, out of fuel, timeout, memory, crash)', async () => {
    for (const outcome of [
      { kind: 'trap', trap: 'unreachable' },
      { kind: 'out_of_fuel' },
      { kind: 'timeout' },
      { kind: 'memory_limit' },
      { kind: 'crashed', message: 'worker died' },
    ] as const) {
      const { world, governor, module } = setup();
      world.backend.script = async () => ok(emptyResult(outcome, 5));
      const r = await governor.run(module, {}, 'user:ada');
      if (!r.ok) throw new Error(r.message);
      expect(r.value.record.execution?.outcome).toEqual(outcome);
      expect(r.value.record.decision).toBe('deny');
      expect(failedRules(r.value.record.post)).toContain('outcome_allowed');
    }
  });

  it('fails closed: when run.started cannot be written, nothing runs and nothing is decided', async () => {
    const { world, governor, module } = setup((w) => (w.failAction = 'run.started'));
    const r = await governor.run(module, {}, 'user:ada');
    expect(r.ok ? 'ran' : r.code).toBe('AUDIT_FAILED');
    expect(world.backend.requests).toHaveLength(0);
    expect(world.decided).toHaveLength(0);
  });

  it('withholds the result when the decision cannot be recorded', async () => {
    const { governor, module } = setup((w) => (w.failRecorder = true));
    const r = await governor.run(module, {}, 'user:ada');
    expect(r.ok ? 'released' : r.code).toBe('AUDIT_FAILED');
  });

  it('records a module the sandbox cannot meter as a pre-exec denial that names the cause', async () => {
    const { world, governor, module } = setup();
    world.backend.script = async () => ({ ok: false, code: 'INSTRUMENT_FAILED', message: 'shared memory is not supported' });
    const r = await governor.run(module, {}, 'user:ada');
    if (!r.ok) throw new Error(r.message);
    expect(r.value.record.decision).toBe('deny');
    expect(failedRules(r.value.record.pre)).toEqual(['sandbox_accepts']);
    expect(r.value.record.pre.summary).toContain('shared memory is not supported');
  });

  it('rejects oversized input and an out-of-range seed before doing anything', async () => {
    const { world, governor, module } = setup();
    const big = await governor.run(module, { args: Array.from({ length: 65 }, () => 'x') }, 'user:ada');
    expect(big.ok ? 'ran' : big.code).toBe('INPUT_TOO_LARGE');
    const stdin = await governor.run(module, { stdin: new Uint8Array(16 * 1024 * 1024 + 1) }, 'user:ada');
    expect(stdin.ok ? 'ran' : stdin.code).toBe('INPUT_TOO_LARGE');
    const seed = await governor.run(module, { seed: 1n << 64n }, 'user:ada');
    expect(seed.ok ? 'ran' : seed.code).toBe('INPUT_INVALID');
    expect(world.events).toHaveLength(0);
    expect(world.decided).toHaveLength(0);
  });

  it('reports a stored module that no longer parses', async () => {
    const { governor } = setup();
    const junk = storedModule(new TextEncoder().encode('not wasm'));
    const r = await governor.run(junk, {}, 'user:ada');
    expect(r.ok ? 'ran' : r.code).toBe('MODULE_MALFORMED');
  });

  it('passes only allow-listed environment variables', async () => {
    const { world, module } = setup();
    const base = world.ports.policy();
    (world.ports as { policy: typeof world.ports.policy }).policy = () => ({ ...base, policy: { ...base.policy, env: ['LANG'], capabilities: [...base.policy.capabilities, 'environ'] } });
    world.manifest = (m) => manifestFor(m, { capabilities: ['stdout', 'environ'] });
    const r = await createGovernor(world.ports).run(module, { env: { LANG: 'C', SECRET: 'x' } }, 'user:ada');
    expect(r.ok && r.value.record.input.env).toEqual({ LANG: 'C' });
    expect(world.backend.requests[0]?.env).toEqual({ LANG: 'C' });
  });

  it('assess() gives the pre-exec verdict without running or recording anything (dry run)', () => {
    const { world, governor, module } = setup();
    const a = governor.assess(module, 'user:ada');
    expect(a.ok && a.value.pre.decision).toBe('allow');
    expect(world.backend.requests).toHaveLength(0);
    expect(world.events).toHaveLength(0);
    expect(world.decided).toHaveLength(0);
  });
});

describe('governor: admission and the kill switch', () => {
  it('answers BUSY when the queue is full and RATE_LIMITED to a user over their share, before assessing', async () => {
    const { world, governor, module } = setup();
    world.backend.capacity = 1;
    world.backend.queueLimit = 2;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    world.backend.script = async () => (await gate, ok(ranOk()));
    const ada = governor.run(module, {}, 'user:ada'); // running
    const mallory = governor.run(module, {}, 'user:mallory'); // waiting: 2 users, a share of 1 each
    const floodMore = await governor.run(module, {}, 'user:mallory');
    expect(floodMore.ok ? 'admitted' : floodMore.code).toBe('RATE_LIMITED');
    const eve = governor.run(module, {}, 'user:eve'); // waiting: the queue (2) is now full
    const frank = await governor.run(module, {}, 'user:frank');
    expect(frank.ok ? 'admitted' : frank.code).toBe('BUSY');
    expect(world.events).toHaveLength(1); // only ada's run.started so far
    release();
    const done = await Promise.all([ada, mallory, eve]);
    expect(done.every((r) => r.ok && r.value.record.decision === 'allow')).toBe(true);
    // Refusals were cheap: no decision records for them.
    expect(world.decided).toHaveLength(3);
  });

  it('starts waiting runs round-robin across users, so one flood does not delay another user', async () => {
    const { world, governor, module } = setup();
    world.backend.capacity = 1;
    world.backend.queueLimit = 8;
    const order: string[] = [];
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    world.backend.script = async (req) => {
      order.push(req.args[1]!);
      await gate;
      return ok(ranOk());
    };
    const runs = [
      governor.run(module, { args: ['m1'] }, 'user:mallory'),
      governor.run(module, { args: ['m2'] }, 'user:mallory'),
      governor.run(module, { args: ['m3'] }, 'user:mallory'),
      governor.run(module, { args: ['a1'] }, 'user:ada'),
    ];
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 5));
      release();
      gate = new Promise<void>((r) => (release = r));
    }
    release();
    await Promise.all(runs);
    expect(order).toEqual(['m1', 'm2', 'a1', 'm3']);
  });

  it('the kill switch ends waiting runs as denied and stops the backend', async () => {
    const { world, governor, module } = setup();
    world.backend.capacity = 1;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    world.backend.script = async () => (await gate, ok(emptyResult({ kind: 'denied', reason: 'kill switch: drill' })));
    const running = governor.run(module, {}, 'user:ada');
    const waiting = governor.run(module, {}, 'user:bob');
    await new Promise((r) => setTimeout(r, 5));
    expect(governor.killAll('drill')).toBe(1); // the waiting one; the fake backend reports 0 of its own
    expect(world.backend.killed).toEqual(['drill']);
    release();
    const [a, b] = await Promise.all([running, waiting]);
    expect(b.ok && b.value.record.execution?.outcome).toEqual({ kind: 'denied', reason: 'kill switch: drill' });
    expect(a.ok && a.value.record.decision).toBe('deny');
    expect(world.backend.requests).toHaveLength(1);
    expect(governor.stats()).toEqual({ running: 0, waiting: 0, actors: 0 });
  });

  it('a backend refusal after run.started is recorded as a denied decision, never an open start or a silent allow', async () => {
    const { world, governor, module } = setup();
    world.backend.script = async () => busy();
    const r = await governor.run(module, {}, 'user:ada');
    if (!r.ok) throw new Error(r.message);
    expect(r.value.record.decision).toBe('deny');
    expect(r.value.record.execution?.outcome).toEqual({ kind: 'denied', reason: 'the sandbox refused the run (BUSY): full' });
    expect(actions(world)).toEqual(['run.started']);
    expect(world.decided.map((d) => d.record.runId)).toEqual([r.value.record.runId]);
  });
});

describe('governor: replay re-runs the recorded request', () => {
  it('replays identically with the recorded grant, input and seed, and audits it', async () => {
    const { world, governor, module } = setup();
    const first = await governor.run(module, { args: ['x'], seed: 99n, stdin: new Uint8Array([1, 2]) }, 'user:ada');
    if (!first.ok) throw new Error(first.message);
    const replay = await governor.replay(first.value.record.runId, 'user:bob');
    if (!replay.ok) throw new Error(replay.message);
    expect(replay.value.identical).toBe(true);
    expect(world.backend.requests[1]).toEqual(world.backend.requests[0]);
    expect(actions(world)).toEqual(['run.started', 'run.replayed']);
  });

  it('names every field that differs', async () => {
    const { world, governor, module } = setup();
    const first = await governor.run(module, {}, 'user:ada');
    world.backend.script = async () => ok(ranOk('different\n', { fuelUsed: 121 }));
    const replay = await governor.replay(first.ok ? first.value.record.runId : '', 'user:ada');
    expect(replay.ok && replay.value.differences.map((d) => d.field)).toEqual(['fuelUsed', 'outputSha256']);
  });

  it('replays a call with its recorded typed arguments and compares its results', async () => {
    const { world, governor, module } = setup();
    world.backend.script = async () => ok(ranOk('', { returnValues: [{ type: 'i64', value: -5n }] }));
    const call = { export: 'add', args: [{ type: 'i64' as const, value: -2n }, { type: 'f32' as const, value: Number.NaN }], results: ['i64' as const] };
    const first = await governor.run(module, { call }, 'user:ada');
    if (!first.ok) throw new Error(first.message);
    expect(first.value.record.input.invocation).toEqual({ args: [{ type: 'i64', value: '-2' }, { type: 'f32', value: 'nan' }], results: ['i64'] });
    expect(first.value.record.execution?.returnValues).toEqual([{ type: 'i64', value: '-5' }]);

    const same = await governor.replay(first.value.record.runId, 'user:ada');
    expect(same.ok && same.value.identical).toBe(true);
    expect(world.backend.requests[1]?.invoke?.args[0]).toEqual({ type: 'i64', value: -2n });
    expect(Number.isNaN(world.backend.requests[1]?.invoke?.args[1]?.value)).toBe(true);
    expect(world.backend.requests[1]?.entry).toBe('add');

    world.backend.script = async () => ok(ranOk('', { returnValues: [{ type: 'i64', value: 7n }] }));
    const differs = await governor.replay(first.value.record.runId, 'user:ada');
    expect(differs.ok && differs.value.differences).toEqual([{ field: 'returnValues', recorded: '-5 (i64)', replayed: '7 (i64)' }]);
  });

  it('refuses what must not run again: unknown run, nothing ran, untrusted or quarantined module', async () => {
    const { world, governor, module } = setup();
    const missing = await governor.replay('nope', 'user:ada');
    expect(missing.ok ? 'ran' : missing.code).toBe('RUN_NOT_FOUND');

    world.quarantined.add(module.wasmSha256);
    const denied = await governor.run(module, {}, 'user:ada');
    const nothing = await governor.replay(denied.ok ? denied.value.record.runId : '', 'user:ada');
    expect(nothing.ok ? 'ran' : nothing.code).toBe('NOTHING_RAN');

    world.quarantined.clear();
    const ran = await governor.run(module, {}, 'user:ada');
    const id = ran.ok ? ran.value.record.runId : '';
    world.quarantined.add(module.wasmSha256);
    const q = await governor.replay(id, 'user:ada');
    expect(q.ok ? 'ran' : q.code).toBe('MODULE_QUARANTINED');
    world.quarantined.clear();
    world.trusted = false;
    const untrusted = await governor.replay(id, 'user:ada');
    expect(untrusted.ok ? 'ran' : untrusted.code).toBe('MODULE_UNTRUSTED');
    expect(world.backend.requests).toHaveLength(1);
  });
});
