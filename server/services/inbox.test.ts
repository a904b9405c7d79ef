/**
 * The Agent Inbox through real services: agents and their tokens, submissions, signed decisions
 * under "1 approver AND 1 manager", separation of duties, and the governor running a module only
 * while its approvals hold.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { HELLO, variant } from '../core/sandbox/test-modules';
import { createManifest } from '../core/module/sign';
import { openInboxHarness, type InboxHarness, type Person } from './test-inbox';
import type { PublicAgent } from './agents';
import { watchtowerOf } from './watchtower';

const STDIO = ['stdout', 'stderr', 'exit'] as const;

describe('agent inbox (real services)', () => {
  let h: InboxHarness;
  let owner: Person, alice: Person, carol: Person, bob: Person;
  let agent: PublicAgent;
  let token: string;
  beforeAll(() => {
    h = openInboxHarness();
    owner = h.person('owner', 'approver'); // an approver and a manager: still may not approve their own agent's work
    alice = h.person('alice', 'approver');
    carol = h.person('carol', 'approver');
    bob = h.person('bob', 'approver');
    const created = h.services.agents.create({ name: 'ci-bot', ownerUsername: 'owner', ratePerHour: 100 }, 'user:admin');
    if (!created.ok) throw new Error(created.message);
    ({ agent, token } = created.value);
  });
  afterAll(async () => {
    await h.services.close();
  });

  const submit = (wasm: Uint8Array, name = 'hello', version = '1.0.0') => {
    const r = h.services.inbox.submit(agent, { wasm, manifest: { name, version, capabilities: [...STDIO] }, purpose: 'says hello' }, () =>
      h.services.agents.recentSubmissions(agent.id),
    );
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r.value;
  };

  describe('agent tokens', () => {
    it('authenticates the token shown once; stores only its hash', () => {
      expect(h.services.agents.authenticate(token, 'submissions:write')).toMatchObject({ ok: true, value: { name: 'ci-bot' } });
      const stored = h.services.handle.sqlite.prepare('SELECT token_sha256 FROM agents').pluck().all() as string[];
      expect(stored.some((s) => token.includes(s))).toBe(false);
      expect(JSON.stringify(h.services.agents.list())).not.toContain('token_sha256');
      expect(Object.keys(h.services.agents.list()[0]!)).not.toContain('tokenSha256');
    });

    it('refuses a wrong secret, a wrong id, garbage and nothing, all alike', () => {
      const [prefix, id] = token.split('_');
      const wrongSecret = `${prefix}_${id}_${'A'.repeat(43)}`;
      const wrongId = `${prefix}_${'0'.repeat(16)}_${token.split('_').slice(2).join('_')}`;
      for (const t of [wrongSecret, wrongId, 'Bearer x', '', undefined, `${token}x`]) {
        expect(h.services.agents.authenticate(t, 'submissions:write')).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
      }
    });

    it('refuses a revoked or expired token, and a token without the scope', () => {
      const a = h.services.agents.create({ name: 'revoke-me', ownerUsername: 'owner' }, 'user:admin');
      if (!a.ok) throw new Error(a.message);
      expect(h.services.agents.revoke(a.value.agent.id, 'user:admin').ok).toBe(true);
      expect(h.services.agents.authenticate(a.value.token, 'submissions:write')).toMatchObject({ code: 'TOKEN_INVALID' });
      const ro = h.services.agents.create({ name: 'read-only', ownerUsername: 'owner', scopes: ['submissions:read'] }, 'user:admin');
      if (!ro.ok) throw new Error(ro.message);
      expect(h.services.agents.authenticate(ro.value.token, 'submissions:write')).toMatchObject({ code: 'SCOPE_MISSING' });
      expect(h.services.agents.create({ name: 'past', ownerUsername: 'owner', expiresAt: new Date(0) }, 'user:admin')).toMatchObject({ code: 'INVALID_EXPIRY' });
      expect(h.services.agents.create({ name: 'nobody-owns', ownerUsername: 'ghost' }, 'user:admin')).toMatchObject({ code: 'OWNER_NOT_FOUND' });
    });
  });

  describe('decisions', () => {
    it('the owner of the submitting agent cannot approve; the refusal is audited and nothing is stored', () => {
      const s = submit(variant(HELLO, 'sod'), 'sod');
      const r = h.services.inbox.decide(s.id, h.statement(owner, s), owner);
      expect(r).toMatchObject({ ok: false, code: 'SEPARATION_OF_DUTIES' });
      expect(h.services.inbox.statements(s.id)).toEqual([]);
      const events = h.services.audit.page({ subject: `submission:${s.id}` });
      expect(events.ok && events.value.events.map((e) => e.action).sort()).toEqual(['approval.refused', 'submission.received']);
    });

    it('a statement signed with somebody else\'s key is refused, even if relayed honestly', () => {
      const s = submit(variant(HELLO, 'relay'), 'relay');
      expect(h.services.inbox.decide(s.id, h.statement(alice, s), bob)).toMatchObject({ ok: false, code: 'KEY_NOT_YOURS' });
    });

    it('a statement replayed onto another submission is refused', () => {
      const a = submit(variant(HELLO, 'replay-a'), 'replay-a');
      const b = submit(variant(HELLO, 'replay-b'), 'replay-b');
      expect(h.services.inbox.decide(b.id, h.statement(alice, a), alice)).toMatchObject({ ok: false, code: 'WRONG_SUBJECT' });
      expect(h.services.inbox.decide(a.id, h.statement(alice, { ...a, wasmSha256: b.wasmSha256 }), alice)).toMatchObject({ ok: false, code: 'WRONG_WASM' });
    });

    it('the same statement twice and the same person twice count once', () => {
      const s = submit(variant(HELLO, 'twice'), 'twice');
      const st = h.statement(alice, s);
      expect(h.services.inbox.decide(s.id, st, alice)).toMatchObject({ ok: true, value: { state: 'pending' } });
      expect(h.services.inbox.decide(s.id, st, alice)).toMatchObject({ ok: false, code: 'DUPLICATE' });
      expect(h.services.inbox.decide(s.id, h.statement(alice, s, { reason: 'again, really' }), alice)).toMatchObject({ ok: true, value: { state: 'pending' } });
      expect(h.services.inbox.get(s.id)?.state).toBe('pending');
    });

    it('an eligible rejection rejects, and nothing revives it', () => {
      const s = submit(variant(HELLO, 'reject'), 'reject');
      expect(h.services.inbox.decide(s.id, h.statement(bob, s, { decision: 'reject', reason: 'opens too much' }), bob)).toMatchObject({ ok: true, value: { state: 'rejected' } });
      expect(h.services.inbox.decide(s.id, h.statement(alice, s), alice)).toMatchObject({ ok: false, code: 'NOT_PENDING' });
    });

    it('the agent withdraws a pending submission once', () => {
      const s = submit(variant(HELLO, 'withdraw'), 'withdraw');
      expect(h.services.inbox.withdraw(s.id, 'agent:ci-bot', (row) => row.agentId === agent.id)).toMatchObject({ ok: true, value: { state: 'withdrawn' } });
      expect(h.services.inbox.withdraw(s.id, 'agent:ci-bot', () => true)).toMatchObject({ ok: false, code: 'NOT_PENDING' });
    });
  });

  describe('the governor runs a module only while its quorum holds', () => {
    it('denied before approval; allowed after one approver AND one manager; the record names the approvals; voided by a key revocation', async () => {
      const wasm = variant(HELLO, 'governed');
      const module = h.install(wasm, { name: 'governed', version: '1.0.0', capabilities: [...STDIO] });
      const s = submit(wasm, 'governed');
      expect(createManifest(wasm, { name: 'governed', version: '1.0.0', capabilities: [...STDIO] }).ok).toBe(true);
      expect(s.manifestSha256).toBe(module.manifestSha256);

      const before = await h.services.governor.run(module, {}, 'test:operator');
      expect(before.ok && before.value.record.decision).toBe('deny');
      expect(before.ok && before.value.record.approval).toMatchObject({ approved: false, source: 'inbox' });

      expect(h.services.inbox.decide(s.id, h.statement(alice, s), alice)).toMatchObject({ ok: true, value: { state: 'pending' } });
      expect((await h.services.governor.run(module, {}, 'test:operator')).ok && h.services.inbox.get(s.id)?.state).toBe('pending');
      expect(h.services.inbox.decide(s.id, h.statement(carol, s), carol)).toMatchObject({ ok: true, value: { state: 'approved' } });

      const after = await h.services.governor.run(module, {}, 'test:operator');
      if (!after.ok) throw new Error(after.message);
      expect(after.value.record.decision).toBe('allow');
      expect(after.value.record.approval?.restsOn?.map((r) => r.approver).sort()).toEqual(['alice', 'carol']);
      expect(after.value.record.approval?.restsOn?.[0]?.statementSha256).toMatch(/^[0-9a-f]{64}$/);

      expect(h.services.trust.revoke(carol.keyid, 'laptop stolen', 'user:admin').ok).toBe(true);
      const revoked = await h.services.governor.run(module, {}, 'test:operator');
      expect(revoked.ok && revoked.value.record.decision).toBe('deny');
      expect(revoked.ok && revoked.value.record.approval?.detail).toContain('revoked');
      expect(h.services.audit.verify().ok).toBe(true);
    });

    it('a module whose bytes differ from the approved ones is not approved (digest changed after approval)', async () => {
      const wasm = variant(HELLO, 'swap');
      const s = submit(wasm, 'swap');
      const victor = h.person('victor', 'viewer');
      expect(h.services.inbox.decide(s.id, h.statement(victor, s), victor)).toMatchObject({ ok: false, code: 'NOT_ELIGIBLE' });
      expect(h.services.inbox.decide(s.id, h.statement(alice, s), alice).ok).toBe(true);
      const frank = h.person('frank', 'approver');
      expect(h.services.inbox.decide(s.id, h.statement(frank, s), frank)).toMatchObject({ ok: true, value: { state: 'approved' } });
      // The approved submission now holds swap@1.0.0, so other code under that version is refused outright...
      expect(() => h.install(variant(HELLO, 'swap-2'), { name: 'swap', version: '1.0.0', capabilities: [...STDIO] })).toThrow(/VERSION_REUSED/);
      // ...and under the next version, signed by a publisher, it is not approved.
      const swapped = h.install(variant(HELLO, 'swap-2'), { name: 'swap', version: '1.0.1', capabilities: [...STDIO] });
      const r = await h.services.governor.run(swapped, {}, 'test:operator');
      expect(r.ok && r.value.record.approval).toMatchObject({ approved: false });
    });
  });

  it('Watchtower counts the submissions waiting for a decision (pending, not expired); decided ones leave the count', () => {
    const before = watchtowerOf(h.services).summary({ window: '24h' }).pendingInbox;
    const s = submit(variant(HELLO, 'waiting'), 'waiting');
    expect(watchtowerOf(h.services).summary({ window: '24h' })).toMatchObject({ inboxAvailable: true, pendingInbox: before + 1 });
    expect(h.services.inbox.withdraw(s.id, 'agent:ci-bot', () => true).ok).toBe(true);
    expect(watchtowerOf(h.services).summary({ window: '24h' }).pendingInbox).toBe(before);
  });

  it('the rate limit counts stored submissions and refuses the one over', () => {
    const created = h.services.agents.create({ name: 'slow-bot', ownerUsername: 'owner', ratePerHour: 2 }, 'user:admin');
    if (!created.ok) throw new Error(created.message);
    const slow = created.value.agent;
    const once = (tag: string) =>
      h.services.inbox.submit(slow, { wasm: variant(HELLO, tag), manifest: undefined, purpose: 'x' }, () => h.services.agents.recentSubmissions(slow.id));
    expect(once('r1').ok).toBe(true);
    expect(once('r2').ok).toBe(true);
    expect(once('r3')).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    expect(h.services.agents.recentSubmissions(slow.id)).toBe(2);
  });
});

describe('agent inbox: time', () => {
  let at = new Date('2026-03-01T00:00:00.000Z');
  let h: InboxHarness;
  beforeAll(() => {
    h = openInboxHarness(() => at);
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('a submission nobody decided expires: readers see it at once, the sweep records it, a late approval is refused', () => {
    h.person('owner', 'approver');
    const alice = h.person('alice', 'approver');
    const created = h.services.agents.create({ name: 'ci-bot', ownerUsername: 'owner' }, 'user:admin');
    if (!created.ok) throw new Error(created.message);
    const s = h.services.inbox.submit(created.value.agent, { wasm: variant(HELLO, 'late'), manifest: undefined, purpose: 'x' }, () => 0);
    if (!s.ok) throw new Error(s.message);
    const statement = h.statement(alice, s.value);
    at = new Date(at.getTime() + 72 * 3_600_000); // the default submission_ttl_hours
    expect(h.services.inbox.get(s.value.id)?.state).toBe('expired');
    expect(h.services.inbox.expireDue()).toBe(1);
    expect(h.services.inbox.expireDue()).toBe(0);
    expect(h.services.inbox.decide(s.value.id, statement, alice)).toMatchObject({ ok: false, code: 'NOT_PENDING' });
    const events = h.services.audit.page({ subject: `submission:${s.value.id}` });
    expect(events.ok && events.value.events.map((e) => e.action).sort()).toEqual(['approval.refused', 'submission.expired', 'submission.received']);
  });
});
