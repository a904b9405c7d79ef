/** Fixtures for inbox tests: keys are generated per run, never committed. */
import { generateKeyPair } from '../crypto/ed25519';
import { keyIdOf } from '../crypto/keys';
import type { Role } from '../access/rbac';
import { ZApprovalPolicySchema, type TApprovalPolicy } from './policy';
import type { ApprovalTarget, ApproverKey, Person, QuorumInput } from './quorum';
import { signStatement, type Decision, type TApprovalStatement, type TSignedApproval } from './statement';

export const NOW = new Date('2026-03-01T12:00:00.000Z');

export const TARGET: ApprovalTarget = {
  subject: 'submission:7f1c0c7e-3f55-4d39-9a52-0c0a3f1f2b11',
  wasmSha256: 'a'.repeat(64),
  manifestSha256: 'b'.repeat(64),
  policy: { name: 'default', revision: 3 },
};

export interface Approver {
  readonly person: Person;
  readonly seed: Uint8Array;
  readonly key: ApproverKey;
}

export function approver(username: string, role: Role = 'approver', over: Partial<ApproverKey> = {}): Approver {
  const { seed, publicKey } = generateKeyPair();
  const person: Person = { id: `user-${username}`, username, role, disabled: false };
  const key: ApproverKey = { keyid: keyIdOf(publicKey), publicKey, role: 'approver', status: 'active', userId: person.id, ...over };
  return { person, seed, key };
}

export function statementFor(over: Partial<TApprovalStatement> = {}, target: ApprovalTarget = TARGET): TApprovalStatement {
  return {
    format: 'nightcore.approval/v1',
    subject: target.subject,
    wasmSha256: target.wasmSha256,
    manifestSha256: target.manifestSha256,
    policy: target.policy,
    decision: 'approve' as Decision,
    reason: 'reviewed the imports and the dry run',
    time: new Date(NOW.getTime() - 60_000).toISOString(),
    ...over,
  };
}

export function sign(who: Approver, over: Partial<TApprovalStatement> = {}): TSignedApproval {
  const signed = signStatement(statementFor(over), who.seed, who.key.keyid);
  if (!signed.ok) throw new Error(signed.message);
  return signed.value;
}

export const policyOf = (value: unknown): TApprovalPolicy => ZApprovalPolicySchema.parse(value);

export function quorumInput(people: readonly Approver[], signed: readonly TSignedApproval[], over: Partial<QuorumInput> = {}): QuorumInput {
  const keys = new Map(people.map((a) => [a.key.keyid, a.key]));
  const persons = new Map(people.map((a) => [a.person.id, a.person]));
  return {
    target: TARGET,
    policy: policyOf({}),
    signed,
    key: (id) => keys.get(id),
    person: (id) => persons.get(id),
    excluded: new Map(),
    now: NOW,
    ...over,
  };
}
