/**
 * Quarantine release by quorum, through real services, under "1 approver AND 1 from group
 * managers": nobody releases alone, one person counts once, a statement cannot be replayed onto
 * another quarantine entry (not even a new quarantine of the same code), a submission approval is
 * not a release and the reverse, and the release names its approvals in the audit log.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { HELLO, variant } from '../core/sandbox/test-modules';
import { quarantineEntryDigest, signStatement, signingBytes } from '../core/inbox';
import { canonicalJson } from '../core/module/canonical';
import { signEd25519 } from '../core/crypto/ed25519';
import { encodeBase64 } from '../core/crypto/keys';
import { openInboxHarness, releaseStatement, type InboxHarness, type Person } from './test-inbox';
import type { ModuleVersionRow } from './module-registry';

const STDIO = ['stdout', 'stderr', 'exit'] as const;

describe('quarantine release by quorum', () => {
  let h: InboxHarness;
  let alice: Person, carol: Person, frank: Person, victor: Person;
  beforeAll(() => {
    h = openInboxHarness();
    alice = h.person('alice', 'approver');
    carol = h.person('carol', 'approver'); // group managers
    frank = h.person('frank', 'approver'); // group managers
    victor = h.person('victor', 'viewer');
  });
  afterAll(async () => {
    await h.services.close();
  });

  const held = (tag: string): ModuleVersionRow => {
    const m = h.install(variant(HELLO, tag), { name: tag, version: '1.0.0', capabilities: [...STDIO] });
    h.services.quarantine.add({ moduleName: m.name, wasmSha256: m.wasmSha256, reason: 'odd output', source: 'manual' }, 'user:olga');
    return m;
  };
  const send = (p: Person, m: ModuleVersionRow, reason = 'checked the output, false alarm') => {
    const { entryId, signed } = releaseStatement(h.services, p, m.wasmSha256, reason);
    return h.services.releases.sign(entryId, signed, p);
  };

  it('one approval is not enough; the second from the other group releases it; the audit names both', () => {
    const m = held('two-keys');
    expect(send(alice, m)).toMatchObject({ ok: true, value: { released: false, quorum: { state: 'pending' } } });
    expect(h.services.quarantine.active(m.wasmSha256)).toBeDefined();
    const entry = h.services.quarantine.active(m.wasmSha256)!;
    expect(h.services.releases.status(entry).counted.map((c) => c.username)).toEqual(['alice']);
    expect(send(carol, m, 'looked at the run')).toMatchObject({ ok: true, value: { released: true, quorum: { state: 'met' } } });
    expect(h.services.quarantine.active(m.wasmSha256)).toBeUndefined();
    const released = h.services.quarantine.byId(entry.id)!;
    expect(released.releasedBy).toBe('quorum: alice, carol');
    expect(released.releaseReason).toContain('carol: looked at the run');
    const events = h.services.audit.page({ subject: 'module:two-keys' });
    const release = events.ok ? events.value.events.find((e) => e.action === 'module.released') : undefined;
    expect((JSON.parse(String(release?.payload)) as { approvals: { approver: string }[] }).approvals.map((a) => a.approver).sort()).toEqual(['alice', 'carol']);
    expect(h.services.releases.recorded(entry.id).map((r) => r.username)).toEqual(['alice', 'carol']);
    expect(h.services.audit.verify().ok).toBe(true);
  });

  it('one person counts once: two statements by alice, or the same one twice, do not make a quorum', () => {
    const m = held('same-person');
    expect(send(alice, m)).toMatchObject({ ok: true, value: { released: false } });
    expect(send(alice, m, 'really, it is fine')).toMatchObject({ ok: true, value: { released: false } });
    const { entryId, signed } = releaseStatement(h.services, alice, m.wasmSha256, 'third time');
    expect(h.services.releases.sign(entryId, signed, alice).ok).toBe(true);
    expect(h.services.releases.sign(entryId, signed, alice)).toMatchObject({ ok: false, code: 'DUPLICATE' });
    expect(h.services.quarantine.active(m.wasmSha256)).toBeDefined();
  });

  it('refuses: another person\'s key, a viewer, no reason, a missing or released entry', () => {
    const m = held('refusals');
    const { entryId, signed } = releaseStatement(h.services, alice, m.wasmSha256, 'fine');
    expect(h.services.releases.sign(entryId, signed, carol)).toMatchObject({ ok: false, code: 'KEY_NOT_YOURS' });
    expect(send(victor, m)).toMatchObject({ ok: false, code: 'NOT_ELIGIBLE' });
    expect(send(alice, m, '   ')).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
    expect(h.services.releases.sign(999_999, signed, alice)).toMatchObject({ ok: false, code: 'QUARANTINE_NOT_FOUND' });
    const refused = h.services.audit.page({ subject: `quarantine:${entryId}` });
    expect(refused.ok && refused.value.events.filter((e) => e.action === 'approval.refused').length).toBe(3);
  });

  it('a statement cannot be replayed onto another entry, nor onto a new quarantine of the same code', async () => {
    const a = held('replay-a');
    const b = held('replay-b');
    const forA = releaseStatement(h.services, alice, a.wasmSha256, 'fine');
    const entryB = h.services.quarantine.active(b.wasmSha256)!;
    expect(h.services.releases.sign(entryB.id, forA.signed, alice)).toMatchObject({ ok: false, code: 'WRONG_SUBJECT' });

    // Release a, quarantine the same code again: the old entry's statements say nothing about the new one.
    expect(send(alice, a).ok && send(frank, a)).toMatchObject({ ok: true, value: { released: true } });
    const oldEntry = forA.entryId;
    h.services.quarantine.add({ moduleName: a.name, wasmSha256: a.wasmSha256, reason: 'again', source: 'manual' }, 'user:olga');
    const again = h.services.quarantine.active(a.wasmSha256)!;
    expect(again.id).not.toBe(oldEntry);
    expect(h.services.releases.sign(again.id, forA.signed, alice)).toMatchObject({ ok: false, code: 'WRONG_SUBJECT' });
    // Even re-addressed to the new entry, the entry digest (which pins when the entry began) gives it away.
    const p = h.services.policy.policy;
    const readdressed = signStatement(
      {
        format: 'nightcore.approval/v1', subject: `quarantine:${again.id}`, wasmSha256: a.wasmSha256,
        manifestSha256: quarantineEntryDigest({ id: again.id, wasmSha256: a.wasmSha256, since: new Date(again.since.getTime() - 1000) }),
        policy: { name: p.name, revision: p.revision }, decision: 'release', reason: 'fine', time: new Date().toISOString(),
      },
      alice.seed, alice.keyid,
    );
    if (!readdressed.ok) throw new Error(readdressed.message);
    expect(h.services.releases.sign(again.id, readdressed.value, alice)).toMatchObject({ ok: false, code: 'WRONG_MANIFEST' });
  });

  it('a submission approval is not a release, and a release is not a submission approval', () => {
    const m = held('kinds');
    const entry = h.services.quarantine.active(m.wasmSha256)!;
    const target = h.services.releases.target(entry);
    // The signer refuses to make the mismatch...
    const base = { format: 'nightcore.approval/v1' as const, ...target, reason: 'fine', time: new Date().toISOString() };
    expect(signStatement({ ...base, decision: 'approve' }, alice.seed, alice.keyid)).toMatchObject({ ok: false, code: 'STATEMENT_INVALID' });
    // ...and one signed by hand anyway is refused by the server, both ways.
    const byHand = (statement: object) => {
      const canonical = canonicalJson(statement);
      if (!canonical.ok) throw new Error(canonical.message);
      const sig = signEd25519(alice.seed, signingBytes(canonical.value));
      return { payload: encodeBase64(new TextEncoder().encode(canonical.value)), keyid: alice.keyid, sig: encodeBase64(sig) };
    };
    expect(h.services.releases.sign(entry.id, byHand({ ...base, decision: 'approve' }), alice)).toMatchObject({ ok: false, code: 'STATEMENT_INVALID' });
    const agent = h.services.agents.create({ name: 'kinds-bot', ownerUsername: 'victor' }, 'user:admin');
    if (!agent.ok) throw new Error(agent.message);
    const sub = h.services.inbox.submit(agent.value.agent, { wasm: variant(HELLO, 'kinds-sub'), manifest: undefined, purpose: 'x' }, () => 0);
    if (!sub.ok) throw new Error(sub.message);
    const p = h.services.policy.policy;
    const releaseOfSubmission = byHand({
      format: 'nightcore.approval/v1', subject: `submission:${sub.value.id}`, wasmSha256: sub.value.wasmSha256, manifestSha256: sub.value.manifestSha256,
      policy: { name: p.name, revision: p.revision }, decision: 'release', reason: 'fine', time: new Date().toISOString(),
    });
    expect(h.services.inbox.decide(sub.value.id, releaseOfSubmission, alice)).toMatchObject({ ok: false, code: 'STATEMENT_INVALID' });
  });

  it('the released module runs again; while held it is denied', async () => {
    const m = held('runs-again');
    const denied = await h.services.governor.run(m, {}, 'test:operator');
    expect(denied.ok && denied.value.record.pre.rules.find((r) => r.id === 'quarantined')?.outcome).toBe('fail');
    send(alice, m);
    send(carol, m);
    const after = await h.services.governor.run(m, {}, 'test:operator');
    expect(after.ok && after.value.record.pre.rules.find((r) => r.id === 'quarantined')?.outcome).toBe('pass');
  });
});

describe('quarantine release without a PRO license', () => {
  it('a quorum above one is refused (LICENSE_REQUIRED), never lowered to one: the module stays held', async () => {
    const h = openInboxHarness(undefined, { pro: false });
    try {
      const alice = h.person('alice', 'approver');
      const m = h.install(variant(HELLO, 'unlicensed'), { name: 'unlicensed', version: '1.0.0' });
      h.services.quarantine.add({ moduleName: m.name, wasmSha256: m.wasmSha256, reason: 'held', source: 'manual' }, 'user:olga');
      const { entryId, signed } = releaseStatement(h.services, alice, m.wasmSha256, 'fine');
      expect(h.services.releases.sign(entryId, signed, alice)).toMatchObject({ ok: false, code: 'LICENSE_REQUIRED' });
      expect(h.services.quarantine.active(m.wasmSha256)).toBeDefined();
    } finally {
      await h.services.close();
    }
  });
});
