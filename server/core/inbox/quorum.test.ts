import { describe, it, expect } from 'vitest';
import { evaluateQuorum } from './quorum';
import { approver, NOW, policyOf, quorumInput, sign, TARGET } from './test-support';

const codes = (r: ReturnType<typeof evaluateQuorum>) => r.refused.map((x) => x.code);
const PEERS_AND_MANAGERS = policyOf({
  groups: { peers: ['alice', 'bob', 'carol'], managers: ['carol', 'dave'] },
  quorum: [{ group: 'peers', count: 1 }, { group: 'managers', count: 1 }],
});

describe('quorum: the happy path', () => {
  it('one approver meets the default quorum and the result names the approval it rests on', () => {
    const alice = approver('alice');
    const r = evaluateQuorum(quorumInput([alice], [sign(alice)]));
    expect(r.state).toBe('met');
    expect(r.counted.map((c) => c.keyid)).toEqual([alice.key.keyid]);
    expect(r.detail).toContain('alice');
  });

  it('no statements: pending, with how many are missing', () => {
    const r = evaluateQuorum(quorumInput([], []));
    expect(r).toMatchObject({ state: 'pending', counted: [] });
    expect(r.detail).toContain('0 of 1');
  });

  it('AND across groups needs one of each', () => {
    const alice = approver('alice');
    const dave = approver('dave');
    expect(evaluateQuorum(quorumInput([alice], [sign(alice)], { policy: PEERS_AND_MANAGERS })).state).toBe('pending');
    expect(evaluateQuorum(quorumInput([alice, dave], [sign(alice), sign(dave)], { policy: PEERS_AND_MANAGERS })).state).toBe('met');
  });

  it('a person in both groups fills one place only, wherever it is needed (matching, not first fit)', () => {
    const carol = approver('carol');
    const alice = approver('alice');
    expect(evaluateQuorum(quorumInput([carol], [sign(carol)], { policy: PEERS_AND_MANAGERS })).state).toBe('pending');
    // carol signs first and would greedily take "peers"; alice can only be a peer, so carol must be the manager.
    const r = evaluateQuorum(quorumInput([carol, alice], [sign(carol), sign(alice)], { policy: PEERS_AND_MANAGERS }));
    expect(r.state).toBe('met');
    expect(r.counted.map((c) => c.person.username).sort()).toEqual(['alice', 'carol']);
  });

  it('a role requirement counts only people with that role', () => {
    const policy = policyOf({ quorum: [{ role: 'admin', count: 1 }] });
    const alice = approver('alice', 'approver');
    const r = evaluateQuorum(quorumInput([alice], [sign(alice)], { policy }));
    expect(r.state).toBe('pending');
    expect(codes(r)).toEqual(['NOT_ELIGIBLE']);
  });
});

describe('quorum: attacks', () => {
  it('a statement replayed onto another submission counts for nothing', () => {
    const alice = approver('alice');
    const other = sign(alice, { subject: 'submission:00000000-0000-4000-8000-000000000000' });
    const r = evaluateQuorum(quorumInput([alice], [other]));
    expect(r.state).toBe('pending');
    expect(codes(r)).toEqual(['WRONG_SUBJECT']);
  });

  it('changing the wasm digest after approval voids the approval', () => {
    const alice = approver('alice');
    const r = evaluateQuorum(quorumInput([alice], [sign(alice)], { target: { ...TARGET, wasmSha256: 'c'.repeat(64) } }));
    expect(r.state).toBe('pending');
    expect(codes(r)).toEqual(['WRONG_WASM']);
  });

  it('changing the manifest or the policy revision voids it too', () => {
    const alice = approver('alice');
    expect(codes(evaluateQuorum(quorumInput([alice], [sign(alice)], { target: { ...TARGET, manifestSha256: 'c'.repeat(64) } })))).toEqual(['WRONG_MANIFEST']);
    expect(codes(evaluateQuorum(quorumInput([alice], [sign(alice)], { target: { ...TARGET, policy: { name: 'default', revision: 4 } } })))).toEqual([
      'WRONG_POLICY',
    ]);
  });

  it('a forged signature counts for nothing', () => {
    const alice = approver('alice');
    const mallory = approver('mallory');
    const forged = { ...sign(mallory), keyid: alice.key.keyid }; // mallory signs, claims alice's key
    const r = evaluateQuorum(quorumInput([alice, mallory], [forged]));
    expect(r.state).toBe('pending');
    expect(codes(r)).toEqual(['SIGNATURE_INVALID']);
  });

  it('a revoked key counts for nothing, even for statements dated before the revocation', () => {
    const alice = approver('alice', 'approver', { status: 'revoked' });
    const r = evaluateQuorum(quorumInput([alice], [sign(alice, { time: '2026-02-01T00:00:00.000Z' })], { policy: policyOf({ approval_ttl_hours: 24 * 365 }) }));
    expect(r.state).toBe('pending');
    expect(codes(r)).toEqual(['KEY_REVOKED']);
  });

  it('keys outside the trust store, of another role or bound to nobody count for nothing', () => {
    const stranger = approver('stranger');
    const publisher = approver('pub', 'approver', { role: 'publisher' });
    const unbound = approver('nobody', 'approver', { userId: null });
    const r = evaluateQuorum(quorumInput([publisher, unbound], [sign(stranger), sign(publisher), sign(unbound)]));
    expect(r.state).toBe('pending');
    expect(codes(r)).toEqual(['KEY_UNKNOWN', 'KEY_NOT_APPROVER', 'KEY_UNBOUND']);
  });

  it('the same person twice (same statement twice, or two keys) counts once', () => {
    const policy = policyOf({ quorum: [{ role: 'approver', count: 2 }] });
    const alice = approver('alice');
    const aliceSecondKey = { ...approver('alice'), person: alice.person };
    const secondKey = { ...aliceSecondKey, key: { ...aliceSecondKey.key, userId: alice.person.id } };
    const one = sign(alice);
    expect(evaluateQuorum(quorumInput([alice], [one, one], { policy })).state).toBe('pending');
    const r = evaluateQuorum(quorumInput([alice, secondKey], [sign(alice), sign(secondKey, { time: NOW.toISOString() })], { policy }));
    expect(r.state).toBe('pending');
    expect(r.counted).toHaveLength(1);
    expect(codes(r)).toEqual(['SUPERSEDED']);
  });

  it('the submitter and the agent owner cannot approve', () => {
    const owner = approver('owner');
    const r = evaluateQuorum(quorumInput([owner], [sign(owner)], { excluded: new Map([[owner.person.id, 'owns the submitting agent']]) }));
    expect(r.state).toBe('pending');
    expect(codes(r)).toEqual(['SEPARATION_OF_DUTIES']);
    expect(r.refused[0]!.message).toContain('owns the submitting agent');
  });

  it('the owner cannot reject either (a veto is a decision too)', () => {
    const owner = approver('owner');
    const r = evaluateQuorum(quorumInput([owner], [sign(owner, { decision: 'reject' })], { excluded: new Map([[owner.person.id, 'submitted it']]) }));
    expect(r.state).toBe('pending');
  });

  it('a disabled person counts for nothing', () => {
    const alice = approver('alice');
    const disabled = { ...alice, person: { ...alice.person, disabled: true } };
    expect(codes(evaluateQuorum(quorumInput([disabled], [sign(disabled)])))).toEqual(['PERSON_DISABLED']);
  });

  it('approvals expire, and statements dated in the future do not count yet', () => {
    const alice = approver('alice');
    const policy = policyOf({ approval_ttl_hours: 1 });
    const old = sign(alice, { time: new Date(NOW.getTime() - 3_600_000).toISOString() });
    expect(codes(evaluateQuorum(quorumInput([alice], [old], { policy })))).toEqual(['EXPIRED']);
    const future = sign(alice, { time: new Date(NOW.getTime() + 10 * 60_000).toISOString() });
    expect(codes(evaluateQuorum(quorumInput([alice], [future])))).toEqual(['FROM_THE_FUTURE']);
  });

  it('a reason is required when the policy says so', () => {
    const alice = approver('alice');
    expect(codes(evaluateQuorum(quorumInput([alice], [sign(alice, { reason: '  ' })])))).toEqual(['REASON_REQUIRED']);
    expect(evaluateQuorum(quorumInput([alice], [sign(alice, { reason: '' })], { policy: policyOf({ reason_required: false }) })).state).toBe('met');
  });

  it('an eligible rejection rejects; an ineligible one changes nothing', () => {
    const alice = approver('alice');
    const viewer = approver('victor', 'viewer');
    expect(evaluateQuorum(quorumInput([alice], [sign(alice, { decision: 'reject' })])).state).toBe('rejected');
    const r = evaluateQuorum(quorumInput([viewer], [sign(viewer, { decision: 'reject' })]));
    expect(r.state).toBe('pending');
    expect(codes(r)).toEqual(['NOT_ELIGIBLE']);
  });

  it("a person's latest statement is their decision (approve, then reject)", () => {
    const alice = approver('alice');
    const r = evaluateQuorum(quorumInput([alice], [sign(alice), sign(alice, { decision: 'reject', time: NOW.toISOString() })]));
    expect(r.state).toBe('rejected');
  });

  it('garbage never throws', () => {
    const alice = approver('alice');
    const junk = [{ payload: '', keyid: alice.key.keyid, sig: '' }, { payload: 'e30=', keyid: 7, sig: null }] as never[];
    const r = evaluateQuorum(quorumInput([alice], junk));
    expect(r.state).toBe('pending');
    expect(r.refused).toHaveLength(2);
  });
});

describe('approval policy schema', () => {
  it('refuses a quorum naming an undefined group, and a requirement naming both or neither', () => {
    const bad = () => policyOf({ quorum: [{ group: 'ghosts', count: 1 }, { role: 'approver', group: 'x' }, { count: 1 }] });
    expect(bad).toThrow(/ghosts/);
    expect(bad).toThrow(/exactly one of role or group/);
  });
});
