/**
 * Policy revisions over real services: seeding, tightening at once, weakening only by quorum with
 * separation of duties, forged/replayed/moved statements, stale and restored proposals, and
 * dry-run applied end to end (a run that the rule would deny is allowed and recorded).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELLO } from '../core/sandbox/test-modules';
import { signStatement, type TSignedApproval } from '../core/inbox';
import { openServices, ServiceStartError } from './index';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';
import { openInboxHarness, type InboxHarness, type Person } from './test-inbox';
import type { ProposalRow } from './policy-revisions';

let h: InboxHarness;
let carol: Person; // admin, proposes (and is a manager: she still cannot approve her own proposal)
let bob: Person; // approver
let frank: Person; // manager
beforeAll(() => {
  h = openInboxHarness();
  carol = h.person('carol', 'admin');
  bob = h.person('bob', 'approver');
  frank = h.person('frank', 'viewer');
});
afterAll(async () => {
  await h.services.close();
});

const policies = () => h.services.policies;
const currentJson = () => JSON.parse(policies().revision(h.services.policy.policy.revision)!.policyJson) as Record<string, any>;
const edited = (edit: (p: Record<string, any>) => void) => {
  const p = currentJson();
  edit(p);
  return JSON.stringify(p);
};
const who = (p: Person) => ({ id: p.id, username: p.username });
function sign(p: Person, row: ProposalRow, over: Record<string, unknown> = {}): TSignedApproval {
  const signed = signStatement({ ...policies().statementFields(row), decision: 'approve', reason: 'read the diff', time: new Date().toISOString(), ...over } as never, p.seed, p.keyid);
  if (!signed.ok) throw new Error(signed.message);
  return signed.value;
}
function propose(text: string, by: Person = carol) {
  const r = policies().propose(text, who(by), 'because');
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}
const proposalOf = (r: ReturnType<typeof propose>) => {
  if (!('proposal' in r)) throw new Error('expected a proposal');
  return r.proposal;
};

describe('policy revisions', () => {
  it('seeds revision history from the policy file on first start, and decision records name the revision and digest in force', async () => {
    const [seed] = policies().history();
    expect(seed).toMatchObject({ source: 'seed', actor: 'system', revision: 3, name: 'default' });
    expect(h.services.policy.sha256).toBe(seed!.sha256);
    const module = h.install(HELLO, { name: 'hello', capabilities: ['stdout', 'exit'] });
    const ran = await h.services.governor.run(module, {}, 'test:operator');
    expect(ran.ok && ran.value.record.policy).toEqual({ name: 'default', revision: 3, sha256: seed!.sha256 });
  });

  it('a tightening applies at once, audited with who, why and the diff; runs use it', async () => {
    const r = propose(edited((p) => (p.limits.fuel = 500_000_000)));
    expect('applied' in r && r.applied).toMatchObject({ revision: 4, source: 'tightening', actor: 'user:carol', reason: 'because' });
    expect(r.classification.changes).toEqual([expect.objectContaining({ path: 'limits.fuel', effect: 'tighter' })]);
    expect(h.services.policy.policy.revision).toBe(4);
    expect(h.services.policy.policy.limits.fuel).toBe(500_000_000);
    const page = h.services.audit.page({ subject: 'policy:default' });
    if (!page.ok) throw new Error(page.message);
    const event = page.value.events.find((e) => e.action === 'policy.revised' && JSON.parse(e.payload).revision === 4);
    expect(JSON.parse(event!.payload)).toMatchObject({ source: 'tightening', changes: ['limits.fuel: tighter'] });
    const module = h.install(HELLO, { name: 'hello2', capabilities: ['stdout', 'exit'] });
    const ran = await h.services.governor.run(module, {}, 'test:operator');
    expect(ran.ok && ran.value.record.policy.revision).toBe(4);
  });

  it('refuses an invalid candidate with every bad field path, non-JSON, no change and no reason, changing nothing', () => {
    const bad = policies().propose(edited((p) => {
      p.limits.fuel = -1;
      p.pre.threat_threshold.deny_at = 'high';
    }), who(carol), 'x');
    expect(!bad.ok && bad.code).toBe('POLICY_INVALID');
    expect(!bad.ok && bad.issues).toEqual(['limits.fuel: Too small: expected number to be >0', 'pre.threat_threshold.deny_at: Invalid input: expected number, received string']);
    expect(!policies().propose('{nope', who(carol), 'x').ok).toBe(true);
    const same = policies().propose(edited(() => {}), who(carol), 'x');
    expect(!same.ok && same.code).toBe('NO_CHANGE');
    const noReason = policies().propose(edited((p) => (p.limits.fuel = 1)), who(carol), '  ');
    expect(!noReason.ok && noReason.code).toBe('REASON_REQUIRED');
    expect(h.services.policy.policy.revision).toBe(4);
  });

  it('a weakening is a proposal: nothing changes until the quorum is met, and the proposer cannot approve', () => {
    const proposal = proposalOf(propose(edited((p) => (p.limits.fuel = 2_000_000_000))));
    expect(proposal).toMatchObject({ state: 'pending', baseRevision: 4, proposer: 'carol' });
    expect(h.services.policy.policy.limits.fuel).toBe(500_000_000);

    const own = policies().decide(proposal.id, sign(carol, proposal), who(carol));
    expect(!own.ok && own.code).toBe('SEPARATION_OF_DUTIES');

    const first = policies().decide(proposal.id, sign(bob, proposal), who(bob));
    expect(first.ok && first.value.state).toBe('pending');
    expect(h.services.policy.policy.revision).toBe(4);

    const second = policies().decide(proposal.id, sign(frank, proposal), who(frank));
    expect(second.ok && second.value.state).toBe('applied');
    expect(second.ok && second.value.applied).toMatchObject({ revision: 5, source: 'proposal', proposalId: proposal.id });
    expect(h.services.policy.policy.limits.fuel).toBe(2_000_000_000);
    expect(policies().proposal(proposal.id)?.state).toBe('applied');
  });

  it('refuses forged, moved, replayed and borrowed statements', () => {
    const proposal = proposalOf(propose(edited((p) => p.capabilities.push('fs.read'))));
    const other = proposalOf(propose(edited((p) => p.env.push('HOME'))));
    const refused = (signed: TSignedApproval, by = bob) => {
      const r = policies().decide(proposal.id, signed, who(by));
      return r.ok ? 'accepted' : r.code;
    };
    expect(refused(sign(bob, other))).toBe('WRONG_SUBJECT');
    expect(refused(sign(bob, proposal, { wasmSha256: 'f'.repeat(64) }))).toBe('WRONG_WASM');
    expect(refused(sign(bob, proposal, { manifestSha256: 'e'.repeat(64) }))).toBe('WRONG_MANIFEST');
    expect(refused(sign(bob, proposal, { policy: { name: 'default', revision: 4 } }))).toBe('WRONG_POLICY');
    const forged = sign(bob, proposal);
    expect(refused({ ...forged, sig: sign(bob, proposal, { reason: 'other' }).sig })).toBe('SIGNATURE_INVALID');
    expect(refused(sign(bob, proposal), frank)).toBe('KEY_NOT_YOURS');
    const good = sign(bob, proposal);
    expect(refused(good)).toBe('accepted');
    expect(refused(good)).toBe('DUPLICATE');
    expect(h.services.policy.policy.capabilities).not.toContain('fs.read');
  });

  it('a proposal against a revision no longer in force is stale and never applies', () => {
    const proposal = proposalOf(propose(edited((p) => (p.limits.wallMs = 9000))));
    propose(edited((p) => (p.limits.outputBytes = 1000)));
    expect(policies().proposal(proposal.id)?.state).toBe('stale');
    const r = policies().decide(proposal.id, sign(bob, proposal), who(bob));
    expect(!r.ok && r.code).toBe('STALE');
    expect(h.services.policy.policy.limits.wallMs).toBe(5000);
  });

  it('a rejection by an eligible approver rejects the proposal', () => {
    const proposal = proposalOf(propose(edited((p) => (p.limits.wallMs = 9000))));
    const r = policies().decide(proposal.id, sign(bob, proposal, { decision: 'reject' }), who(bob));
    expect(r.ok && r.value.state).toBe('rejected');
    expect(policies().decide(proposal.id, sign(frank, proposal), who(frank)).ok).toBe(false);
  });

  it('an old revision can be shown with its diff and restored only as a proposal, becoming a new revision', () => {
    const diff = policies().diff(3);
    expect(diff.ok && diff.value.classification.changes.map((c) => c.path).sort()).toEqual(['limits.fuel', 'limits.outputBytes']);
    const restoring = policies().restore(3, who(carol), 'back to the shipped default');
    expect(restoring.ok).toBe(true);
    const proposal = proposalOf(restoring.ok ? restoring.value : (undefined as never));
    expect(proposal.restoreOf).toBe(3);
    policies().decide(proposal.id, sign(bob, proposal), who(bob));
    const done = policies().decide(proposal.id, sign(frank, proposal), who(frank));
    expect(done.ok && done.value.applied?.revision).toBe(h.services.policy.policy.revision);
    expect(h.services.policy.policy.limits).toEqual(policies().parse(policies().revision(3)!).limits);
    expect(policies().revision(3)!.policyJson).not.toBe(policies().revision(h.services.policy.policy.revision)!.policyJson); // a new revision, the old one untouched
  });

  it('switching a rule to dry-run needs approval; afterwards the rule never blocks and the record says it would have', async () => {
    const module = h.install(HELLO, { name: 'unapproved', capabilities: ['stdout', 'exit'] });
    const before = await h.services.governor.run(module, {}, 'test:operator');
    expect(before.ok && before.value.record.decision).toBe('deny'); // approval_required, enforced
    const proposal = proposalOf(propose(edited((p) => (p.pre.approval_required.dry_run = true))));
    policies().decide(proposal.id, sign(bob, proposal), who(bob));
    expect(policies().decide(proposal.id, sign(frank, proposal), who(frank)).ok).toBe(true);
    const after = await h.services.governor.run(module, {}, 'test:operator');
    if (!after.ok) throw new Error(after.message);
    const record = after.value.record;
    expect(record.decision).toBe('allow');
    expect(record.pre.rules.find((r) => r.id === 'approval_required')).toMatchObject({ outcome: 'would_fail', dryRun: true });
    expect(record.pre.dryRun).toMatchObject({ rules: ['approval_required'], wouldFail: ['approval_required'], wouldDecision: 'deny' });
    const row = h.services.handle.sqlite.prepare<[string], { n: number }>('SELECT count(*) AS n FROM run_denied_rules WHERE run_id = ?').get(record.runId);
    expect(row?.n).toBe(0);
  });

  it('a proposal that lowered the quorum still shows the quorum that decided it, not the lower one it brought', () => {
    const proposal = proposalOf(propose(edited((p) => (p.approval.quorum = [{ role: 'approver', count: 1 }]))));
    expect(policies().approvalPolicyOf(proposal).quorum).toHaveLength(2);
    policies().decide(proposal.id, sign(bob, proposal), who(bob));
    const applied = policies().decide(proposal.id, sign(frank, proposal), who(frank));
    expect(applied.ok && applied.value.state).toBe('applied');
    expect(h.services.policy.policy.approval.quorum).toEqual([{ role: 'approver', count: 1 }]);
    const row = policies().proposal(proposal.id)!;
    expect(policies().approvalPolicyOf(row).quorum).toEqual([{ role: 'approver', count: 1 }, { group: 'managers', count: 1 }]);
    const shown = policies().evaluate(row);
    expect(shown.state).toBe('met');
    expect(shown.counted.map((c) => c.person.username).sort()).toEqual(['bob', 'frank']);
  });

  it('history is append-only in the database', () => {
    expect(() => h.services.handle.sqlite.exec('UPDATE policy_revisions SET reason = 1')).toThrow(/append-only/);
    expect(() => h.services.handle.sqlite.exec('DELETE FROM policy_revisions')).toThrow(/append-only/);
  });
});

describe('start with a policy file', () => {
  it('the database wins after the first start: a different file is not applied, and the notice says so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nightcore-policy-start-'));
    const file = join(dataDir, 'p.json');
    const base = JSON.parse(readFileSync(join(import.meta.dirname, '../../policies/default.json'), 'utf8'));
    writeFileSync(file, JSON.stringify(base));
    const first = openServices({ dataDir, policyPath: file, workerUrl: DEFAULT_WORKER_URL });
    expect(first.policyNotice).toBeNull();
    await first.close();
    writeFileSync(file, JSON.stringify({ ...base, capabilities: [...base.capabilities, 'fs.read'] }));
    const second = openServices({ dataDir, policyPath: file, workerUrl: DEFAULT_WORKER_URL });
    expect(second.policyNotice).toMatch(/differs from revision 3 in force \(weakening\); the database's revision is used/);
    expect(second.policy.policy.capabilities).not.toContain('fs.read');
    await second.close();
  });

  it('refuses to start on an invalid policy file, naming every bad field', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nightcore-policy-bad-'));
    const file = join(dataDir, 'p.json');
    writeFileSync(file, JSON.stringify({ format: 'nightcore.policy/v1', name: 'x', revision: 0, limits: {}, capabilities: ['net'] }));
    let error: unknown;
    try {
      openServices({ dataDir, policyPath: file, workerUrl: DEFAULT_WORKER_URL });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as ServiceStartError).code).toBe('POLICY_INVALID');
    expect((error as ServiceStartError).issues).toEqual(expect.arrayContaining(['revision: Too small: expected number to be >0', 'limits.fuel: Invalid input: expected number, received undefined']));
  });
});

describe('licensing', () => {
  it('without PRO, a proposal under a quorum above one is refused (never lowered to one); a rejection still counts', async () => {
    const c = openInboxHarness(undefined, { pro: false });
    try {
      const proposer = c.person('carol', 'admin');
      const approver = c.person('bob', 'approver');
      const p = JSON.parse(c.services.policies.revision(c.services.policy.policy.revision)!.policyJson);
      p.limits.fuel = 2_000_000_000;
      const r = c.services.policies.propose(JSON.stringify(p), { id: proposer.id, username: 'carol' }, 'more fuel');
      if (!r.ok || !('proposal' in r.value)) throw new Error('expected a proposal');
      const row = r.value.proposal;
      const statement = (decision: 'approve' | 'reject') => {
        const s = signStatement({ ...c.services.policies.statementFields(row), decision, reason: 'x', time: new Date().toISOString() }, approver.seed, approver.keyid);
        if (!s.ok) throw new Error(s.message);
        return s.value;
      };
      const refused = c.services.policies.decide(row.id, statement('approve'), { id: approver.id, username: 'bob' });
      expect(!refused.ok && refused.code).toBe('LICENSE_REQUIRED');
      const rejected = c.services.policies.decide(row.id, statement('reject'), { id: approver.id, username: 'bob' });
      expect(rejected.ok && rejected.value.state).toBe('rejected');
    } finally {
      await c.services.close();
    }
  });
});
