/** The inbox procedures over real services: the evidence on one screen, and decisions by the session user only. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { TRPCError } from '@trpc/server';
import { HELLO, variant } from '../../core/sandbox/test-modules';
import { openInboxHarness, type InboxHarness, type Person } from '../../services/test-inbox';
import { createCaller } from '../root';
import { ctxFor, sessionFor } from '../test-support';
import type { PublicAgent } from '../../services/agents';

describe('inbox router', () => {
  let h: InboxHarness;
  let owner: Person, alice: Person, carol: Person;
  let agent: PublicAgent;
  const as = (p: Person) => createCaller(ctxFor(sessionFor('approver', p.username, p.id), h.services));
  const submit = (tag: string, manifest: unknown) => {
    const r = h.services.inbox.submit(agent, { wasm: variant(HELLO, tag), manifest, purpose: `tag ${tag}` }, () => 0);
    if (!r.ok) throw new Error(r.message);
    return r.value;
  };
  beforeAll(() => {
    h = openInboxHarness();
    owner = h.person('owner', 'approver');
    alice = h.person('alice', 'approver');
    carol = h.person('carol', 'approver');
    const created = h.services.agents.create({ name: 'ci-bot', ownerUsername: 'owner' }, 'user:admin');
    if (!created.ok) throw new Error(created.message);
    agent = created.value.agent;
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('the review carries the evidence: submitter, purpose, dry run with each rule, threat signals, requests, policy revision, quorum', async () => {
    const s = submit('evidence', { name: 'greeter', version: '1.0.0', capabilities: ['stdout', 'exit'] });
    const r = await as(alice).inbox.review({ id: s.id });
    expect(r.agent).toEqual({ name: 'ci-bot', owner: 'owner' });
    expect(r.submission.purpose).toBe('tag evidence');
    expect(r.dryRun?.rules.map((x) => x.id)).toContain('signature_trusted');
    expect(r.dryRun?.rules.find((x) => x.id === 'signature_trusted')?.outcome).toBe('fail');
    expect(r.dryRun?.rules.find((x) => x.id === 'approval_required')?.outcome).toBe('fail');
    expect(r.threat?.signals.length).toBeGreaterThan(0);
    expect(r.manifest?.capabilities).toEqual(['stdout', 'exit']);
    expect(r.imports.length).toBeGreaterThan(0);
    expect(r.policy).toEqual({ name: h.services.policy.policy.name, revision: h.services.policy.policy.revision });
    expect(r.statement).toMatchObject({ subject: `submission:${s.id}`, wasmSha256: s.wasmSha256 });
    expect(r.quorum).toMatchObject({ state: 'pending', rule: '1 with role approver AND 1 from group managers' });
    expect(r.you).toMatchObject({ mayDecide: true, why: null });
    expect(r.diff.against).toBeNull();
  });

  it('the owner is told why they cannot decide, and the server refuses them anyway', async () => {
    const s = submit('owned', { name: 'owned', version: '1.0.0' });
    const r = await as(owner).inbox.review({ id: s.id });
    expect(r.you.mayDecide).toBe(false);
    expect(r.you.why).toContain('You own the agent');
    await expect(as(owner).inbox.decide({ id: s.id, signed: h.statement(owner, s) })).rejects.toThrow(/owns the agent/);
  });

  it("decides as the session user only: alice's statement sent by carol is refused", async () => {
    const s = submit('relay', { name: 'relay', version: '1.0.0' });
    const e = await as(carol).inbox.decide({ id: s.id, signed: h.statement(alice, s) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TRPCError);
    expect((e as TRPCError).code).toBe('BAD_REQUEST');
    expect(await as(alice).inbox.decide({ id: s.id, signed: h.statement(alice, s) })).toMatchObject({ state: 'pending' });
    expect(await as(carol).inbox.decide({ id: s.id, signed: h.statement(carol, s) })).toMatchObject({ state: 'approved' });
    expect((await as(alice).inbox.review({ id: s.id })).quorum.decisions.map((d) => d.username).sort()).toEqual(['alice', 'carol']);
  });

  it('the diff names imports, capabilities and limits changed since the last approved version', async () => {
    const s = submit('relay-2', { name: 'relay', version: '1.1.0', capabilities: ['stdout', 'stderr', 'exit', 'clock'], limits: { fuel: 5000 } });
    const r = await as(alice).inbox.review({ id: s.id });
    expect(r.diff.against?.version).toBe('1.0.0');
    expect(r.diff.capabilities.added).toEqual(['clock']);
    expect(r.diff.limits.map((l) => l.key)).toEqual(['fuel']);
  });

  it('a viewer reads the list but cannot decide; an unknown id is NOT_FOUND', async () => {
    const viewer = createCaller(ctxFor(sessionFor('viewer'), h.services));
    expect((await viewer.inbox.list()).length).toBeGreaterThan(0);
    await expect(viewer.inbox.decide({ id: '00000000-0000-4000-8000-000000000000', signed: { payload: 'e30=', keyid: 'a'.repeat(64), sig: 'AA==' } })).rejects.toThrow(/FORBIDDEN|may not/i);
    await expect(as(alice).inbox.review({ id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('registers the session user\u2019s own approval key from the browser', async () => {
    const { generateKeyPair } = await import('../../core/crypto/ed25519');
    const pair = generateKeyPair();
    const r = await as(alice).inbox.registerKey({ publicKey: Buffer.from(pair.publicKey).toString('base64') });
    expect(h.services.inbox.keysOf(alice.id)).toContain(r.keyid);
    await expect(as(alice).inbox.registerKey({ publicKey: 'not base64!' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
