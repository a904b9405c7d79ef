/**
 * Approved agent submissions as a module source, through real services: an unsigned submission
 * runs once (and only while) its signed approvals meet the quorum of the policy in force, the
 * decision record names those approvals, and nothing else gets in: not pending, rejected,
 * withdrawn or expired submissions, not a forged registry row, not swapped bytes, not another
 * digest under the same name, not a policy revision the approvals were not given under.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { HELLO, variant } from '../core/sandbox/test-modules';
import { submissionEnvelope } from '../core/inbox';
import { openInboxHarness, type InboxHarness, type Person } from './test-inbox';
import type { PublicAgent } from './agents';
import type { SubmissionView } from './inbox';
import { listModules, moduleDetail } from '../api/routers/module-views';

const STDIO = ['stdout', 'stderr', 'exit'] as const;

describe('approved submissions run like modules, on their approvals only', () => {
  let h: InboxHarness;
  let alice: Person, carol: Person, bob: Person;
  let agent: PublicAgent;
  beforeAll(() => {
    h = openInboxHarness();
    h.person('owner', 'approver');
    alice = h.person('alice', 'approver');
    carol = h.person('carol', 'approver'); // in group managers
    bob = h.person('bob', 'approver');
    const created = h.services.agents.create({ name: 'ci-bot', ownerUsername: 'owner', ratePerHour: 1000 }, 'user:admin');
    if (!created.ok) throw new Error(created.message);
    agent = created.value.agent;
  });
  afterAll(async () => {
    await h.services.close();
  });

  const submit = (wasm: Uint8Array, name: string, version = '1.0.0') => {
    const r = h.services.inbox.submit(agent, { wasm, manifest: { name, version, capabilities: [...STDIO] }, purpose: 'says hello' }, () => 0);
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r.value;
  };
  const approve = (s: SubmissionView) => {
    expect(h.services.inbox.decide(s.id, h.statement(alice, s), alice)).toMatchObject({ ok: true, value: { state: 'pending' } });
    expect(h.services.inbox.decide(s.id, h.statement(carol, s), carol)).toMatchObject({ ok: true, value: { state: 'approved' } });
  };
  const run = async (name: string, version?: string) => {
    const module = version ? h.services.modules.find(name, version) : h.services.modules.latest(name);
    if (!module) throw new Error(`no module ${name}`);
    const r = await h.services.governor.run(module, {}, 'test:operator');
    if (!r.ok) throw new Error(r.message);
    return r.value;
  };
  /** What an attacker with write access to module_versions (but no approver key) could add. */
  const forgeRow = (name: string, wasm: Uint8Array, like: SubmissionView, envelopeFor: string) => {
    h.services.handle.sqlite
      .prepare(
        `INSERT INTO module_versions (name, version, tenant, description, source, wasm_sha256, manifest_sha256, manifest_json, envelope_json, signer_keyids, wasm, size_bytes, imported_by, imported_at)
         VALUES (?, '9.9.9', 'default', '', 'submission', ?, ?, ?, ?, '[]', ?, ?, 'attacker', ?)`,
      )
      .run(name, like.wasmSha256, like.manifestSha256, like.manifestJson, submissionEnvelope(envelopeFor), Buffer.from(wasm), wasm.length, Date.now());
    return h.services.modules.find(name, '9.9.9')!;
  };

  it('nothing is stored to run while pending; the quorum stores it as an "approved submission" that runs and names its approvals', async () => {
    const wasm = variant(HELLO, 'agent-made');
    const s = submit(wasm, 'agent-made');
    expect(h.services.modules.find('agent-made', '1.0.0')).toBeUndefined();
    approve(s);
    const row = h.services.modules.find('agent-made', '1.0.0');
    expect(row).toMatchObject({ source: 'submission', wasmSha256: s.wasmSha256, manifestSha256: s.manifestSha256 });
    expect(row!.signerKeyids.sort()).toEqual([alice.keyid, carol.keyid].sort());

    const record = (await run('agent-made')).record;
    expect(record.decision).toBe('allow');
    expect(record.verification).toMatchObject({ ok: true });
    expect(record.module.signers.map((x) => `${x.name}/${x.role}`).sort()).toEqual(['alice/approver', 'carol/approver']);
    expect(record.approval).toMatchObject({ approved: true, source: 'inbox' });
    expect(record.approval?.restsOn?.map((r) => [r.approver, r.subject]).sort()).toEqual([
      ['alice', `submission:${s.id}`],
      ['carol', `submission:${s.id}`],
    ]);
    // The console's Modules list and page mark it and show the approvals it runs on.
    expect(listModules(h.services, { source: 'submission' }, 'user:alice').map((m) => [m.name, m.source])).toContainEqual(['agent-made', 'submission']);
    const detail = moduleDetail(h.services, 'agent-made', 'user:alice')!;
    expect(detail.versions[0]!.submission).toMatchObject({ id: s.id, state: 'approved' });
    expect(detail.versions[0]!.submission!.approvals.map((a) => [a.approver, a.reason]).sort()).toEqual([
      ['alice', 'read the diff and the dry run'],
      ['carol', 'read the diff and the dry run'],
    ]);
    expect(detail.assessment?.pre.decision).toBe('allow');
    const imported = h.services.audit.page({ subject: 'module:agent-made@1.0.0' });
    expect(imported.ok && imported.value.events.map((e) => [e.action, (JSON.parse(String(e.payload)) as { source: string }).source])).toEqual([['module.imported', 'submission']]);
  });

  it('rejected, withdrawn and expired submissions are never stored to run', () => {
    const rejected = submit(variant(HELLO, 'no-1'), 'no-1');
    expect(h.services.inbox.decide(rejected.id, h.statement(bob, rejected, { decision: 'reject', reason: 'no' }), bob)).toMatchObject({ ok: true, value: { state: 'rejected' } });
    const withdrawn = submit(variant(HELLO, 'no-2'), 'no-2');
    expect(h.services.inbox.withdraw(withdrawn.id, 'agent:ci-bot', () => true).ok).toBe(true);
    expect(h.services.modules.find('no-1', '1.0.0')).toBeUndefined();
    expect(h.services.modules.find('no-2', '1.0.0')).toBeUndefined();
  });

  it('a forged registry row naming a pending, rejected or withdrawn submission is denied before execution', async () => {
    for (const state of ['pending', 'rejected', 'withdrawn'] as const) {
      const wasm = variant(HELLO, `forged-${state}`);
      const s = submit(wasm, `forged-${state}`);
      if (state === 'rejected') h.services.inbox.decide(s.id, h.statement(bob, s, { decision: 'reject', reason: 'no' }), bob);
      if (state === 'withdrawn') h.services.inbox.withdraw(s.id, 'agent:ci-bot', () => true);
      expect(h.services.inbox.get(s.id)?.state).toBe(state);
      forgeRow(`forged-${state}`, wasm, s, s.id);
      const record = (await run(`forged-${state}`, '9.9.9')).record;
      expect(record.decision).toBe('deny');
      expect(record.verification).toMatchObject({ ok: false, code: 'NOT_APPROVED' });
      expect(record.verification.message).toContain(`is ${state}, not approved`);
      expect(record.execution).toBeNull();
    }
  });

  it('a forged row pointing at another approved submission, or with swapped bytes, is denied', async () => {
    const approved = h.services.inbox.get(h.services.inbox.list({ state: 'approved' }).find((x) => x.name === 'agent-made')!.id)!;
    const evil = variant(HELLO, 'evil');
    // Another code's row claiming the approved submission (its digests, its envelope): the bytes give it away.
    const swapped = forgeRow('swap-bytes', evil, approved, approved.id);
    const r1 = (await run('swap-bytes', '9.9.9')).record;
    expect(r1.decision).toBe('deny');
    expect(r1.verification.code).toBe('DIGEST_MISMATCH');
    expect(swapped.source).toBe('submission');

    // Honest digests of the evil code, envelope naming the approved submission: a different digest needs its own approvals.
    const evilSub = submit(evil, 'evil-sub');
    forgeRow('borrowed-approval', evil, evilSub, approved.id);
    const r2 = (await run('borrowed-approval', '9.9.9')).record;
    expect(r2.decision).toBe('deny');
    expect(r2.verification).toMatchObject({ code: 'NOT_APPROVED' });
    expect(r2.verification.message).toContain('approved different code');
  });

  it('the stored bytes of an approved submission changed after approval: denied', async () => {
    const s = submit(variant(HELLO, 'tamper'), 'tamper');
    approve(s);
    expect((await run('tamper')).record.decision).toBe('allow');
    h.services.handle.sqlite.prepare(`UPDATE module_versions SET wasm = ? WHERE name = 'tamper'`).run(Buffer.from(variant(HELLO, 'tamper-2')));
    const record = (await run('tamper')).record;
    expect(record.decision).toBe('deny');
    expect(record.verification.code).toBe('DIGEST_MISMATCH');
  });

  it('a new digest under the same name is a new submission with its own approvals; the same version with other code is refused at intake', async () => {
    const v1 = submit(variant(HELLO, 'evolve-1'), 'evolve');
    approve(v1);
    const again = h.services.inbox.submit(agent, { wasm: variant(HELLO, 'evolve-x'), manifest: { name: 'evolve', version: '1.0.0', capabilities: [...STDIO] }, purpose: 'x' }, () => 0);
    expect(again).toMatchObject({ ok: false, code: 'SUBMISSION_INVALID' });
    expect(!again.ok && again.issues).toEqual([expect.stringMatching(/^manifest\.version: evolve@1\.0\.0 is already stored with other code/)]);

    const v2 = submit(variant(HELLO, 'evolve-2'), 'evolve', '1.1.0');
    expect(h.services.modules.find('evolve', '1.1.0')).toBeUndefined();
    expect(h.services.modules.latest('evolve')?.version).toBe('1.0.0');
    // v1's approvals say nothing about v2's digest.
    expect(h.services.inbox.decide(v2.id, h.statement(alice, v1), alice)).toMatchObject({ ok: false, code: 'WRONG_SUBJECT' });
    approve(v2);
    expect(h.services.modules.latest('evolve')?.version).toBe('1.1.0');
    const record = (await run('evolve')).record;
    expect(record.decision).toBe('allow');
    expect(record.approval?.restsOn?.every((r) => r.subject === `submission:${v2.id}`)).toBe(true);
  });

  it('revoking an approver key after approval stops the module at once', async () => {
    const s = submit(variant(HELLO, 'revoke'), 'revoke');
    const dave = h.person('dave', 'approver');
    expect(h.services.inbox.decide(s.id, h.statement(dave, s), dave).ok).toBe(true);
    expect(h.services.inbox.decide(s.id, h.statement(carol, s), carol)).toMatchObject({ ok: true, value: { state: 'approved' } });
    expect((await run('revoke')).record.decision).toBe('allow');
    expect(h.services.trust.revoke(dave.keyid, 'left the company', 'user:admin').ok).toBe(true);
    const record = (await run('revoke')).record;
    expect(record.decision).toBe('deny');
    expect(record.verification).toMatchObject({ ok: false, code: 'NOT_APPROVED' });
    expect(record.verification.message).toMatch(/revoked/);
    expect(h.services.audit.verify().ok).toBe(true);
  });

  it('under a new policy revision the old approvals count for nothing', async () => {
    // A tightening (one more import denied, which these modules do not use) applies at once as the next revision.
    const current = JSON.parse(readFileSync(h.services.policy.path, 'utf8')) as { pre: Record<string, unknown> };
    const tighter = { ...current, pre: { ...current.pre, imports_allowed: { severity: 'critical', deny_functions: ['proc_raise'] } } };
    const proposed = h.services.policies.propose(JSON.stringify(tighter), alice, 'deny proc_raise');
    expect(proposed.ok).toBe(true);
    const r = await h.services.governor.run(h.services.modules.latest('agent-made')!, {}, 'test:operator');
    if (!r.ok) throw new Error(r.message);
    expect(r.value.record.policy.revision).toBeGreaterThan(1);
    expect(r.value.record.decision).toBe('deny');
    expect(r.value.record.verification.message).toMatch(/made under policy .* r\d+; .* r\d+ is in force/);
  });
});
