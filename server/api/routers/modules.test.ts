/** The modules router over real services: list, detail (dry-run verdict, drift), run. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ECHO_STDIN, HELLO, LEAKS_KEY, OPENS_FILES, RANDOM_32, variant } from '../../core/sandbox/test-modules';
import { openHarness, type Harness } from '../../services/test-fixtures';
import { createCaller } from '../root';
import { ctxFor, sessionFor, trpcCode } from '../test-support';

const STDIO = ['stdout', 'stderr', 'exit'] as const;

describe('modules router', () => {
  let h: Harness;
  const as = (role: 'viewer' | 'operator' | 'admin', username = `test-${role}`) => createCaller(ctxFor(sessionFor(role, username), h.services));

  beforeAll(() => {
    h = openHarness();
    h.install(variant(HELLO, 'v1'), { name: 'greeter', version: '1.0.0', tenant: 'acme', capabilities: [...STDIO] });
    h.install(variant(RANDOM_32, 'v2'), { name: 'greeter', version: '1.1.0', tenant: 'acme', capabilities: [...STDIO, 'random'] });
    h.install(variant(ECHO_STDIN, 'echo'), { name: 'echo', tenant: 'beta', capabilities: [...STDIO, 'stdin'] });
    h.install(variant(OPENS_FILES, 'opener'), { name: 'opener', tenant: 'beta', capabilities: [...STDIO] });
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('lists the latest version per name with its version count, signer name and threat band', async () => {
    const list = await as('viewer').modules.list();
    const greeter = list.find((m) => m.name === 'greeter')!;
    expect(greeter).toMatchObject({ latestVersion: '1.1.0', versionCount: 2, tenant: 'acme', source: 'bundle', quarantined: false });
    expect(greeter.signers).toEqual([{ keyid: h.publisher.keyid, name: 'test publisher', status: 'active' }]);
    expect(greeter.threat?.band).toMatch(/^(low|medium|high|quarantine)$/);
    expect(list.map((m) => m.name).sort()).toEqual(['echo', 'greeter', 'opener']);
  });

  it('filters by name substring, tenant and quarantine state', async () => {
    const viewer = as('viewer');
    expect((await viewer.modules.list({ search: 'GREE' })).map((m) => m.name)).toEqual(['greeter']);
    expect((await viewer.modules.list({ tenant: 'beta' })).map((m) => m.name).sort()).toEqual(['echo', 'opener']);
    expect(await viewer.modules.list({ source: 'legacy' })).toEqual([]);
    expect(await viewer.modules.list({ quarantined: true })).toEqual([]);
  });

  it('shows one module: versions newest first, a dry-run verdict with every rule, threat signals and drift', async () => {
    const d = await as('viewer').modules.get({ name: 'greeter' });
    expect(d.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect(d.versions[0]!.wasmSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.versions[0]!.importedBy).toBe('test:operator');
    expect(d.assessment?.version).toBe('1.1.0');
    expect(d.assessment?.pre.phase).toBe('pre');
    expect(d.assessment?.pre.rules.length).toBeGreaterThan(0);
    expect(d.assessment?.pre.rules.every((r) => r.explanation.length > 0)).toBe(true);
    expect(d.assessment?.threat.signals.length).toBeGreaterThan(0);
    expect(d.assessment?.report.exports.map((e) => e.name)).toContain('_start');
    expect(d.drift).toHaveLength(1);
    expect(d.drift[0]).toMatchObject({ from: '1.0.0', to: '1.1.0', digestChanged: true });
    expect(d.drift[0]!.importsAdded).toContain('wasi_snapshot_preview1.random_get (func)');
    // The dry run records nothing: no run exists yet.
    expect(d.recentRuns).toEqual([]);
  });

  it('predicts the pre-exec denial for a module importing ungranted functions', async () => {
    const d = await as('viewer').modules.get({ name: 'opener' });
    expect(d.assessment?.pre.decision).toBe('deny');
    expect(d.assessment?.pre.rules.some((r) => r.outcome === 'fail')).toBe(true);
  });

  it('answers NOT_FOUND for an unknown module', async () => {
    expect(await trpcCode(as('viewer').modules.get({ name: 'nope' }))).toBe('NOT_FOUND');
  });

  it('runs a module as the session user, with text stdin and a seed, and returns the decision and output', async () => {
    const r = await as('operator', 'olga').modules.run({ name: 'echo', args: ['a b'], stdin: { encoding: 'text', data: 'ping' }, seed: '42' });
    expect(r.record.actor).toBe('user:olga');
    expect(r.record.decision).toBe('allow');
    expect(r.record.input.seed).toBe('42');
    expect(r.record.input.args).toEqual(['a b']);
    expect(r.stdout.text).toBe('ping');
    expect(r.stdout).toMatchObject({ bytes: 4, truncated: false });

    const b64 = await as('operator').modules.run({ name: 'echo', stdin: { encoding: 'base64', data: Buffer.from('pong').toString('base64') } });
    expect(b64.stdout.text).toBe('pong');

    const d = await as('viewer').modules.get({ name: 'echo' });
    expect(d.recentRuns.map((x) => x.id)).toContain(r.record.runId);
  });

  it('runs an exact version when asked', async () => {
    const r = await as('operator').modules.run({ name: 'greeter', version: '1.0.0', seed: '1' });
    expect(r.record.module.version).toBe('1.0.0');
    expect(r.stdout.text).toBe('hello, world\n');
  });

  it('records a quarantine, then the listing shows it', async () => {
    // The default policy quarantines on danger (here a leaked key in the output), not on one trap.
    h.install(variant(LEAKS_KEY, 'spin'), { name: 'spinner', tenant: 'acme', capabilities: ['stdout'] });
    const r = await as('operator').modules.run({ name: 'spinner' });
    expect(r.record.decision).toBe('deny');
    expect(r.record.quarantine).not.toBeNull();
    const q = await as('viewer').modules.list({ quarantined: true });
    expect(q.map((m) => m.name)).toEqual(['spinner']);
    const d = await as('viewer').modules.get({ name: 'spinner' });
    expect(d.quarantine?.runId).toBe(r.record.runId);
    expect(d.assessment?.pre.decision).toBe('deny');
  });

  it('refuses bad input clearly: unknown module or version, bad seed, bad base64', async () => {
    const op = as('operator');
    expect(await trpcCode(op.modules.run({ name: 'nope' }))).toBe('NOT_FOUND');
    expect(await trpcCode(op.modules.run({ name: 'greeter', version: '9.9.9' }))).toBe('NOT_FOUND');
    expect(await trpcCode(op.modules.run({ name: 'greeter', seed: '-1' }))).toBe('BAD_REQUEST');
    expect(await trpcCode(op.modules.run({ name: 'greeter', seed: '18446744073709551616' }))).toBe('BAD_REQUEST');
    expect(await trpcCode(op.modules.run({ name: 'echo', stdin: { encoding: 'base64', data: 'not base64!' } }))).toBe('BAD_REQUEST');
  });

  it('forbids running for a viewer', async () => {
    expect(await trpcCode(as('viewer').modules.run({ name: 'greeter' }))).toBe('FORBIDDEN');
  });
});
