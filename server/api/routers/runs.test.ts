/** The runs router over real services: filtered keyset pages, one run whole, replay. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { HELLO, OPENS_FILES, RANDOM_32, variant } from '../../core/sandbox/test-modules';
import { openHarness, type Harness } from '../../services/test-fixtures';
import { createCaller } from '../root';
import { ctxFor, sessionFor, trpcCode } from '../test-support';

const STDIO = ['stdout', 'stderr', 'exit'] as const;

describe('runs router', () => {
  let h: Harness;
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  const runIds: string[] = [];
  let deniedId = '';
  const as = (role: 'viewer' | 'operator' | 'approver') => createCaller(ctxFor(sessionFor(role), h.services));

  beforeAll(async () => {
    // A controllable clock: several runs share one millisecond, which keyset paging must handle.
    h = openHarness({ now: () => new Date(clock) });
    h.install(variant(RANDOM_32, 'rand'), { name: 'rand', capabilities: [...STDIO, 'random'] });
    h.install(variant(HELLO, 'hello'), { name: 'hello', capabilities: [...STDIO] });
    h.install(variant(OPENS_FILES, 'opener'), { name: 'opener', capabilities: [...STDIO] });
    const op = as('operator');
    for (let i = 0; i < 5; i++) {
      if (i === 3) clock += 1000; // runs 0-2 share a millisecond, 3-4 share the next
      runIds.push((await op.modules.run({ name: i % 2 ? 'hello' : 'rand', seed: String(i) })).record.runId);
    }
    clock += 1000;
    deniedId = (await op.modules.run({ name: 'opener' })).record.runId;
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('pages through every run exactly once, newest first, even when runs share a millisecond', async () => {
    const viewer = as('viewer');
    const seen: string[] = [];
    let cursor: { startedAt: string; id: string } | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await viewer.runs.list({ limit: 2, cursor });
      seen.push(...page.items.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen)).toEqual(new Set([...runIds, deniedId]));
    expect(seen[0]).toBe(deniedId); // the newest
  });

  it('filters by module, decision, outcome and time range', async () => {
    const viewer = as('viewer');
    expect((await viewer.runs.list({ module: 'hello' })).items).toHaveLength(2);
    const denied = await viewer.runs.list({ decision: 'deny' });
    expect(denied.items.map((r) => r.id)).toEqual([deniedId]);
    expect((await viewer.runs.list({ outcome: 'denied' })).items.map((r) => r.id)).toEqual([deniedId]);
    expect((await viewer.runs.list({ outcome: 'ok' })).items).toHaveLength(5);
    const early = await viewer.runs.list({ until: '2026-01-01T00:00:00.500Z' });
    expect(early.items).toHaveLength(3);
    const late = await viewer.runs.list({ since: '2026-01-01T00:00:01.000Z', until: '2026-01-01T00:00:01.999Z' });
    expect(late.items).toHaveLength(2);
  });

  it('filters by a module-name substring (wildcards literal) and by the rule that failed; denied rows say why', async () => {
    const viewer = as('viewer');
    expect((await viewer.runs.list({ module: 'ell' })).items.map((r) => r.moduleName)).toEqual(['hello', 'hello']);
    expect((await viewer.runs.list({ module: 'HELLO' })).items).toHaveLength(2);
    // % and _ are not wildcards: no module name contains them.
    expect((await viewer.runs.list({ module: '%' })).items).toEqual([]);
    expect((await viewer.runs.list({ module: 'h_llo' })).items).toEqual([]);

    const denied = await viewer.runs.get({ id: deniedId });
    const failedRule = denied.record.pre.rules.find((r) => r.outcome === 'fail')!.id;
    const byRule = await viewer.runs.list({ rule: failedRule });
    expect(byRule.items.map((r) => r.id)).toEqual([deniedId]);
    expect(byRule.items[0]!.why).toMatchObject({ rule: failedRule, phase: 'pre', outcome: 'denied', outcomeText: 'did not run' });
    expect((await viewer.runs.list({ rule: 'no_such_rule' })).items).toEqual([]);
    // Allowed rows have no "why".
    expect((await viewer.runs.list({ decision: 'allow' })).items.every((r) => r.why === null)).toBe(true);
    expect(await trpcCode(viewer.runs.list({ rule: 'x; DROP TABLE runs' }))).toBe('BAD_REQUEST');
  });

  it('refuses malformed filters instead of returning an empty page', async () => {
    const viewer = as('viewer');
    expect(await trpcCode(viewer.runs.list({ outcome: 'exploded' as never }))).toBe('BAD_REQUEST');
    expect(await trpcCode(viewer.runs.list({ since: 'yesterday' }))).toBe('BAD_REQUEST');
    expect(await trpcCode(viewer.runs.list({ limit: 1000 }))).toBe('BAD_REQUEST');
  });

  it('returns one run whole: decision record, output as text with byte counts', async () => {
    const run = await as('viewer').runs.get({ id: runIds[1]! });
    expect(run.record.runId).toBe(runIds[1]);
    expect(run.record.pre.rules.length).toBeGreaterThan(0);
    expect(run.stdout.text).toBe('hello, world\n');
    expect(run.stdout.bytes).toBe(13);
    expect(run.stderr).toEqual({ text: '', bytes: 0, truncated: false });
    expect(run.quarantine).toBeNull();

    const denied = await as('viewer').runs.get({ id: deniedId });
    expect(denied.record.execution).toBeNull();
    expect(denied.outcome).toBe('denied');
    expect(await trpcCode(as('viewer').runs.get({ id: 'missing' }))).toBe('NOT_FOUND');
  });

  it('replays a run identically, refuses to replay a denied one, and forbids replay to viewers', async () => {
    const report = await as('operator').runs.replay({ id: runIds[0]! });
    expect(report).toMatchObject({ runId: runIds[0], identical: true, differences: [] });
    expect(await trpcCode(as('operator').runs.replay({ id: deniedId }))).toBe('BAD_REQUEST');
    expect(await trpcCode(as('operator').runs.replay({ id: 'missing' }))).toBe('NOT_FOUND');
    expect(await trpcCode(as('viewer').runs.replay({ id: runIds[0]! }))).toBe('FORBIDDEN');
    expect(await trpcCode(as('approver').runs.replay({ id: runIds[0]! }))).toBe('FORBIDDEN');
  });
});

describe('runs router: a decision record that cannot be read', () => {
  it('marks that row and still lists and explains the others (a damaged record never fails the page)', async () => {
    const h = openHarness();
    try {
      h.install(variant(OPENS_FILES, 'opener'), { name: 'opener', capabilities: [...STDIO] });
      const op = createCaller(ctxFor(sessionFor('operator'), h.services));
      const good = (await op.modules.run({ name: 'opener' })).record;
      // A run row whose run.decided payload fits no published record version (a trap without its kind).
      const bad = { ...good, runId: '00000000-0000-4000-8000-00000000dead', execution: { outcome: { kind: 'trap' } } };
      const event = h.services.audit.append({ actor: good.actor, action: 'run.decided', subject: `run:${bad.runId}`, payload: bad as never });
      const module = h.services.modules.latest('opener')!;
      h.services.handle.sqlite
        .prepare(
          `INSERT INTO runs (id, module_version_id, module_name, module_version, tenant, wasm_sha256, actor, started_at, decision, outcome, exit_code,
            threat_score, fuel_used, wall_ms, policy_name, policy_revision, seed, output_sha256, stdin, stdout, stderr, audit_seq, capability_denials)
           VALUES (?, ?, 'opener', ?, ?, ?, ?, ?, 'deny', 'trap', NULL, 0, 0, 0, 'default', 1, '1', '', x'', x'', x'', ?, 0)`,
        )
        .run(bad.runId, module.id, module.version, module.tenant, module.wasmSha256, good.actor, Date.parse(good.startedAt) + 1, event.seq);

      const page = await createCaller(ctxFor(sessionFor('viewer'), h.services)).runs.list({ decision: 'deny' });
      const byId = new Map(page.items.map((r) => [r.id, r]));
      expect(byId.get(bad.runId)).toMatchObject({ why: null, recordProblem: expect.stringContaining('is not a nightcore.decision/v1 record') });
      expect(byId.get(good.runId)).toMatchObject({ recordProblem: null, why: { rule: 'imports_allowed' } });
    } finally {
      await h.services.close();
    }
  });
});
