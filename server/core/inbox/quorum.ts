/**
 * Quorum evaluation: from a set of signed statements, which ones count, and is the approval
 * policy's quorum met? Pure: the caller supplies the trust store lookup and the people.
 *
 * Rules (each one is an attack someone will try):
 * - a statement counts only if its signature verifies with an active `approver` key from the trust
 *   store that is bound to a person, and it names exactly this subject, wasm digest, manifest
 *   digest and policy revision (no replay onto anything else);
 * - the submitter and the agent's owner never count (separation of duties), nor a disabled person;
 * - one person counts once, however many keys or statements they have: their latest statement is
 *   their decision;
 * - approvals expire (`approval_ttl_hours`); a statement dated in the future does not count yet;
 * - requirements are ANDed and each person fills at most one place (a bipartite matching), so
 *   "1 peer AND 1 manager" needs two different people even if one person is both.
 */
import type { Role } from '../access/rbac';
import { approvalTtlMs, describeQuorum, type TApprovalPolicy, type TQuorumRequirement } from './policy';
import { openStatement, type TApprovalStatement, type TSignedApproval } from './statement';

/** What the approvals are about. */
export interface ApprovalTarget {
  readonly subject: string;
  readonly wasmSha256: string;
  readonly manifestSha256: string;
  readonly policy: { readonly name: string; readonly revision: number };
}

export interface ApproverKey {
  readonly keyid: string;
  readonly publicKey: Uint8Array;
  readonly role: string;
  readonly status: 'active' | 'revoked';
  /** The console user this key belongs to; null when nobody registered it as theirs. */
  readonly userId: string | null;
}

export interface Person {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly disabled: boolean;
}

export interface QuorumInput {
  readonly target: ApprovalTarget;
  readonly policy: TApprovalPolicy;
  readonly signed: readonly TSignedApproval[];
  readonly key: (keyid: string) => ApproverKey | undefined;
  readonly person: (userId: string) => Person | undefined;
  /** People who may not decide this subject, with why (the submitter, the agent's owner). */
  readonly excluded: ReadonlyMap<string, string>;
  readonly now: Date;
}

export type RefusalCode =
  | 'STATEMENT_INVALID'
  | 'SIGNATURE_INVALID'
  | 'KEY_UNKNOWN'
  | 'KEY_REVOKED'
  | 'KEY_NOT_APPROVER'
  | 'KEY_UNBOUND'
  | 'PERSON_UNKNOWN'
  | 'PERSON_DISABLED'
  | 'WRONG_SUBJECT'
  | 'WRONG_WASM'
  | 'WRONG_MANIFEST'
  | 'WRONG_POLICY'
  | 'EXPIRED'
  | 'FROM_THE_FUTURE'
  | 'REASON_REQUIRED'
  | 'SEPARATION_OF_DUTIES'
  | 'NOT_ELIGIBLE'
  | 'SUPERSEDED';

/** A statement that counts, with who made it. */
export interface ValidStatement {
  readonly keyid: string;
  readonly person: Person;
  readonly statement: TApprovalStatement;
  readonly canonical: string;
}

export interface Refusal {
  readonly keyid: string;
  readonly code: RefusalCode;
  readonly message: string;
}

export interface QuorumResult {
  /** rejected: an eligible person said no. met: every requirement filled. pending: neither yet. */
  readonly state: 'met' | 'rejected' | 'pending';
  /** The approvals the quorum rests on (one per filled place), or the rejections. */
  readonly counted: readonly ValidStatement[];
  readonly refused: readonly Refusal[];
  /** One plain sentence. */
  readonly detail: string;
}

/** Clocks of browsers and servers drift; more than this ahead is a statement made for later. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

function fills(req: TQuorumRequirement, person: Person, policy: TApprovalPolicy): boolean {
  if (req.role !== undefined) return person.role === req.role;
  return (policy.groups[req.group!] ?? []).includes(person.username);
}

const eligible = (person: Person, policy: TApprovalPolicy) => policy.quorum.some((r) => fills(r, person, policy));

function check(input: QuorumInput, signed: TSignedApproval): ValidStatement | Refusal {
  const refuse = (code: RefusalCode, message: string): Refusal => ({ keyid: String(signed.keyid), code, message });
  const key = typeof signed.keyid === 'string' ? input.key(signed.keyid) : undefined;
  if (!key) return refuse('KEY_UNKNOWN', 'The signing key is not in the trust store.');
  if (key.status !== 'active') return refuse('KEY_REVOKED', 'The signing key is revoked; nothing it signed counts.');
  if (key.role !== 'approver') return refuse('KEY_NOT_APPROVER', `The signing key has role ${key.role}, not approver.`);
  const opened = openStatement(signed, key.publicKey);
  if (!opened.ok) return refuse(opened.code, opened.message);
  const s = opened.value.statement;
  const t = input.target;
  if (s.subject !== t.subject) return refuse('WRONG_SUBJECT', `The statement is about ${s.subject}, not ${t.subject}.`);
  if (s.wasmSha256 !== t.wasmSha256) return refuse('WRONG_WASM', 'The statement approves different wasm bytes.');
  if (s.manifestSha256 !== t.manifestSha256) return refuse('WRONG_MANIFEST', 'The statement approves a different manifest.');
  if (s.policy.name !== t.policy.name || s.policy.revision !== t.policy.revision) {
    return refuse('WRONG_POLICY', `The statement was made under policy ${s.policy.name} r${s.policy.revision}; ${t.policy.name} r${t.policy.revision} is in force.`);
  }
  const signedAt = Date.parse(s.time);
  if (signedAt > input.now.getTime() + MAX_CLOCK_SKEW_MS) return refuse('FROM_THE_FUTURE', `The statement is dated ${s.time}, in the future.`);
  if (s.decision !== 'reject' && signedAt + approvalTtlMs(input.policy) <= input.now.getTime()) {
    return refuse('EXPIRED', `The approval of ${s.time} has expired (approvals last ${input.policy.approval_ttl_hours} h).`);
  }
  if (input.policy.reason_required && s.reason.trim() === '') return refuse('REASON_REQUIRED', 'The policy requires a reason.');
  if (key.userId === null) return refuse('KEY_UNBOUND', 'The signing key belongs to no console user.');
  const person = input.person(key.userId);
  if (!person) return refuse('PERSON_UNKNOWN', 'The signing key belongs to a user who no longer exists.');
  if (person.disabled) return refuse('PERSON_DISABLED', `${person.username} is disabled.`);
  const why = input.excluded.get(person.id);
  if (why !== undefined) return refuse('SEPARATION_OF_DUTIES', `${person.username} ${why}, so cannot decide it.`);
  if (!eligible(person, input.policy)) return refuse('NOT_ELIGIBLE', `${person.username} fills no place in the quorum (${describeQuorum(input.policy)}).`);
  return { keyid: key.keyid, person, statement: s, canonical: opened.value.canonical };
}

/** Maximum matching of people to quorum places (Kuhn's augmenting paths; quorums are tiny). */
function matchPlaces(people: readonly ValidStatement[], policy: TApprovalPolicy): (ValidStatement | undefined)[] {
  const places = policy.quorum.flatMap((r) => Array.from({ length: r.count }, () => r));
  const holder: (number | undefined)[] = places.map(() => undefined);
  const tryAssign = (p: number, seen: Set<number>): boolean => {
    for (let i = 0; i < places.length; i++) {
      if (seen.has(i) || !fills(places[i]!, people[p]!.person, policy)) continue;
      seen.add(i);
      if (holder[i] === undefined || tryAssign(holder[i]!, seen)) {
        holder[i] = p;
        return true;
      }
    }
    return false;
  };
  people.forEach((_, p) => tryAssign(p, new Set()));
  return holder.map((p) => (p === undefined ? undefined : people[p]));
}

export function evaluateQuorum(input: QuorumInput): QuorumResult {
  const refused: Refusal[] = [];
  const latest = new Map<string, ValidStatement>();
  for (const signed of input.signed) {
    const r = check(input, signed);
    if ('code' in r) {
      refused.push(r);
      continue;
    }
    const before = latest.get(r.person.id);
    const newer = !before || r.statement.time > before.statement.time;
    const loser = newer ? before : r;
    if (newer) latest.set(r.person.id, r);
    if (loser) refused.push({ keyid: loser.keyid, code: 'SUPERSEDED', message: `${loser.person.username} counts once; their latest statement is their decision.` });
  }
  const decided = [...latest.values()];
  const rejections = decided.filter((v) => v.statement.decision === 'reject');
  if (rejections.length > 0) {
    const names = rejections.map((v) => v.person.username).join(', ');
    return { state: 'rejected', counted: rejections, refused, detail: `Rejected by ${names}.` };
  }
  const assigned = matchPlaces(decided, input.policy);
  const counted = assigned.filter((v): v is ValidStatement => v !== undefined);
  if (counted.length === assigned.length) {
    const names = counted.map((v) => v.person.username).join(', ');
    return { state: 'met', counted, refused, detail: `Quorum (${describeQuorum(input.policy)}) met by ${names}.` };
  }
  return {
    state: 'pending',
    counted,
    refused,
    detail: `${counted.length} of ${assigned.length} approval(s) needed (${describeQuorum(input.policy)}).`,
  };
}
