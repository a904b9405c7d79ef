/**
 * The effective Guardian policy as revisions in SQLite. The highest revision is in force; every
 * process (console, CLI) reads it per use, so a change made by one is seen by the others.
 *
 * - First start: the configured policy file is revision one of the history (its own number).
 * - A change that only tightens (or is neutral) applies at once, audited, with who/why/diff.
 * - A change that weakens (classifyChange in the core decides, conservatively) becomes a proposal:
 *   it applies only when signed approvals meet the quorum of the policy IN FORCE (so a proposal can
 *   never loosen the rules that judge it), the proposer does not count (separation of duties), and
 *   each statement binds the proposal id, the candidate's digest and the base revision's digest.
 * - A proposal made against a revision that is no longer in force is stale and never applies.
 * - Restoring an old revision is always a proposal, whatever it does.
 */
import { randomUUID } from 'node:crypto';
import { desc, eq, isNotNull } from 'drizzle-orm';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/client';
import { policyProposals, policyRevisions, approvalStatements } from '../../db/schema';
import { classifyChange, type ChangeClassification, type PolicyChange } from '../core/guardian/classify';
import { parsePolicyText, type TPolicy } from '../core/guardian/schema';
import { sha256Hex } from '../core/crypto/digest';
import { err, ok, type Result } from '../core/result';
import { APPROVAL_FORMAT, describeQuorum, evaluateQuorum, quorumPlaces, submissionTtlMs, type QuorumResult, type RefusalCode, type TSignedApproval } from '../core/inbox';
import type { AuditLog } from './audit-log';
import type { Decider, InboxService } from './inbox';
import type { ActivePolicy } from './policy-store';
import type { LicenseService } from './license';

export type RevisionRow = typeof policyRevisions.$inferSelect;
export type ProposalRow = typeof policyProposals.$inferSelect;

export type ProposeCode = 'POLICY_NOT_JSON' | 'POLICY_INVALID' | 'NO_CHANGE' | 'REASON_REQUIRED' | 'REVISION_NOT_FOUND';
export type PolicyDecideCode = 'PROPOSAL_NOT_FOUND' | 'NOT_PENDING' | 'EXPIRED' | 'STALE' | 'KEY_NOT_YOURS' | 'DUPLICATE' | 'LICENSE_REQUIRED' | RefusalCode;

export type ProposeOutcome =
  | { readonly applied: RevisionRow; readonly classification: ChangeClassification }
  | { readonly proposal: ProposalRow; readonly classification: ChangeClassification };

const MAX_REASON = 2000;
export const proposalSubject = (id: string) => `policy:${id}`;
const policySubject = (name: string) => `policy:${name}`;

/** A candidate as stored: the submitted JSON with the server's revision number, pretty-printed. */
function candidateText(text: string, revision: number): Result<{ text: string; policy: TPolicy }, 'POLICY_NOT_JSON' | 'POLICY_INVALID'> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return err('POLICY_NOT_JSON', `The policy is not valid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return err('POLICY_INVALID', 'The policy has 1 problem(s): (root): expected an object', ['(root): expected an object']);
  // The server numbers revisions: whatever the text says, this one is the next.
  const stored = JSON.stringify({ ...(value as Record<string, unknown>), revision }, null, 2);
  const parsed = parsePolicyText(stored);
  if (!parsed.ok) return err(parsed.code as 'POLICY_NOT_JSON' | 'POLICY_INVALID', parsed.message, parsed.issues);
  return ok({ text: stored, policy: parsed.value });
}

const changesJson = (changes: readonly PolicyChange[]) => JSON.stringify(changes);
export const changesOf = (json: string): PolicyChange[] => JSON.parse(json) as PolicyChange[];

export class PolicyRevisions {
  private cached: ActivePolicy | undefined;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly inbox: InboxService,
    private readonly now: () => Date,
    private readonly filePath: string,
    private readonly license: Pick<LicenseService, 'require'>,
  ) {}

  /**
   * At start: seed the history from the policy file when it is empty. Afterwards the database is
   * the truth; a file that differs from the one last read is NOT applied (that would let whoever
   * edits a file weaken enforcement alone) and the returned notice says so.
   */
  init(file: ActivePolicy & { readonly text: string }): { notice: string | null } {
    const top = this.top();
    if (!top) {
      this.db.$client.transaction(() => {
        this.insertRevision({
          revision: file.policy.revision, name: file.policy.name, policyJson: file.text, sha256: file.sha256, source: 'seed', fileSha256: file.sha256,
          proposalId: null, changes: '[]', actor: 'system', reason: `seeded from ${file.path}`, createdAt: this.now(),
        });
      }).immediate();
      return { notice: null };
    }
    const lastFile = this.db.select({ sha: policyRevisions.fileSha256 }).from(policyRevisions).where(isNotNull(policyRevisions.fileSha256)).orderBy(desc(policyRevisions.revision)).get();
    if (lastFile?.sha === file.sha256) return { notice: null };
    const current = this.current();
    const changes = classifyChange(current.policy, file.policy);
    return {
      notice:
        `The policy file ${file.path} differs from revision ${current.policy.revision} in force (${changes.kind}); the database's revision is used. ` +
        `To adopt the file: nightcore policy propose ${file.path} --key FILE --reason TEXT`,
    };
  }

  /** The revision in force, re-read when another process changed it. */
  current(): ActivePolicy {
    const top = this.top();
    if (!top) throw new Error('no policy revision: the services were not initialised');
    if (this.cached && this.cached.sha256 === top.sha256 && this.cached.policy.revision === top.revision) return this.cached;
    const row = this.db.select().from(policyRevisions).where(eq(policyRevisions.revision, top.revision)).get()!;
    const parsed = parsePolicyText(row.policyJson);
    // Stored revisions were valid when written; one that no longer parses (a schema change) fails closed.
    if (!parsed.ok) throw new Error(`policy revision ${row.revision} no longer validates: ${parsed.message}`);
    this.cached = { policy: parsed.value, path: this.filePath, sha256: row.sha256 };
    return this.cached;
  }

  history(limit = 100): RevisionRow[] {
    return this.db.select().from(policyRevisions).orderBy(desc(policyRevisions.revision)).limit(Math.min(Math.max(limit, 1), 500)).all();
  }

  revision(n: number): RevisionRow | undefined {
    return this.db.select().from(policyRevisions).where(eq(policyRevisions.revision, n)).get();
  }

  /** The classified difference between two revisions (or a revision and the one in force). */
  diff(from: number, to?: number): Result<{ from: RevisionRow; to: RevisionRow; classification: ChangeClassification }, 'REVISION_NOT_FOUND'> {
    const a = this.revision(from);
    const b = to === undefined ? this.revision(this.current().policy.revision) : this.revision(to);
    if (!a || !b) return err('REVISION_NOT_FOUND', `no policy revision ${!a ? from : to}`);
    return ok({ from: a, to: b, classification: classifyChange(this.parse(a), this.parse(b)) });
  }

  /** Checks a candidate without changing anything: its problems, or how it would change the policy in force. */
  check(text: string): Result<{ policy: TPolicy; classification: ChangeClassification }, 'POLICY_NOT_JSON' | 'POLICY_INVALID'> {
    const current = this.current();
    const candidate = candidateText(text, current.policy.revision + 1);
    if (!candidate.ok) return candidate;
    return ok({ policy: candidate.value.policy, classification: classifyChange(current.policy, candidate.value.policy) });
  }

  /** A change by `who`: applied at once when it only tightens, otherwise a proposal. */
  propose(text: string, who: Decider, reason: string, restoreOf: number | null = null): Result<ProposeOutcome, ProposeCode> {
    const why = reason.trim();
    if (why === '' || why.length > MAX_REASON) return err('REASON_REQUIRED', `give a reason (1 to ${MAX_REASON} characters): it is recorded with the change`);
    return this.db.$client
      .transaction((): Result<ProposeOutcome, ProposeCode> => {
        const base = this.current();
        const candidate = candidateText(text, base.policy.revision + 1);
        if (!candidate.ok) return candidate;
        const classification = classifyChange(base.policy, candidate.value.policy);
        if (classification.kind === 'unchanged' && restoreOf === null) return err('NO_CHANGE', `the candidate is the same as revision ${base.policy.revision} in force`);
        const actor = `user:${who.username}`;
        const now = this.now();
        if (restoreOf === null && (classification.kind === 'tightening' || classification.kind === 'neutral')) {
          const applied = this.insertRevision({
            revision: base.policy.revision + 1, name: candidate.value.policy.name, policyJson: candidate.value.text, sha256: sha256Hex(candidate.value.text),
            source: 'tightening', fileSha256: null, proposalId: null, changes: changesJson(classification.changes), actor, reason: why, createdAt: now,
          });
          return ok({ applied, classification });
        }
        const proposal: ProposalRow = {
          id: randomUUID(),
          baseRevision: base.policy.revision,
          baseSha256: base.sha256,
          candidateJson: candidate.value.text,
          candidateSha256: sha256Hex(candidate.value.text),
          restoreOf,
          changes: changesJson(classification.changes),
          proposerUserId: who.id,
          proposer: who.username,
          reason: why,
          state: 'pending',
          createdAt: now,
          expiresAt: new Date(now.getTime() + submissionTtlMs(base.policy.approval)),
          decidedAt: null,
          detail: null,
        };
        this.audit.record(
          {
            actor,
            action: 'policy.proposed',
            subject: proposalSubject(proposal.id),
            payload: { baseRevision: proposal.baseRevision, candidateSha256: proposal.candidateSha256, kind: classification.kind, restoreOf, reason: why, weaker: classification.changes.filter((c) => c.effect === 'weaker').map((c) => c.path) },
          },
          () => this.db.insert(policyProposals).values(proposal).run(),
        );
        return ok({ proposal, classification });
      })
      .immediate();
  }

  /** Proposes going back to an old revision's text (as a new revision, after approval). */
  restore(revision: number, who: Decider, reason: string): Result<ProposeOutcome, ProposeCode> {
    const old = this.revision(revision);
    if (!old) return err('REVISION_NOT_FOUND', `no policy revision ${revision}`);
    return this.propose(old.policyJson, who, reason, revision);
  }

  proposals(state?: ProposalRow['state']): ProposalRow[] {
    const rows = this.db.select().from(policyProposals).orderBy(desc(policyProposals.createdAt)).limit(200).all();
    return rows.map((r) => this.observed(r)).filter((r) => state === undefined || r.state === state);
  }

  proposal(id: string): ProposalRow | undefined {
    const row = this.db.select().from(policyProposals).where(eq(policyProposals.id, id)).get();
    return row && this.observed(row);
  }

  /**
   * What an approver signs for a proposal: the inbox's approval statement, with the candidate's
   * digest in `wasmSha256` and the base revision's digest in `manifestSha256` (docs/approvals.md),
   * so a signature moves onto no other proposal, candidate text or base revision.
   */
  statementFields(row: ProposalRow): { format: typeof APPROVAL_FORMAT; subject: string; wasmSha256: string; manifestSha256: string; policy: { name: string; revision: number } } {
    const base = this.revision(row.baseRevision);
    return {
      format: APPROVAL_FORMAT,
      subject: proposalSubject(row.id),
      wasmSha256: row.candidateSha256,
      manifestSha256: row.baseSha256,
      policy: { name: base?.name ?? this.current().policy.name, revision: row.baseRevision },
    };
  }

  /** The quorum for a proposal under the approval policy in force, over its stored statements (or only `only`). */
  /**
   * The approval rules a proposal is decided under: those of its base revision. While it is pending
   * that is the revision in force (otherwise it is stale); once applied, the policy in force may be
   * the candidate itself, whose quorum (perhaps a lower one) did not decide it.
   */
  approvalPolicyOf(row: ProposalRow): TPolicy['approval'] {
    const base = this.revision(row.baseRevision);
    const parsed = base ? parsePolicyText(base.policyJson) : undefined;
    return parsed?.ok ? parsed.value.approval : this.current().policy.approval;
  }

  evaluate(row: ProposalRow, only?: readonly TSignedApproval[]): QuorumResult {
    const base = this.current();
    return evaluateQuorum({
      target: {
        subject: proposalSubject(row.id),
        wasmSha256: row.candidateSha256,
        manifestSha256: row.baseSha256,
        policy: { name: this.revision(row.baseRevision)?.name ?? base.policy.name, revision: row.baseRevision },
      },
      policy: this.approvalPolicyOf(row),
      signed: only ?? this.inbox.statementsFor(proposalSubject(row.id)),
      key: this.inbox.approverKey,
      person: this.inbox.person,
      excluded: new Map([[row.proposerUserId, 'proposed this change']]),
      now: this.now(),
    });
  }

  /**
   * Records a signed decision by `who` on a proposal. A statement that would not count is refused
   * (and audited), never stored. When the quorum is met the candidate becomes the next revision in
   * the same transaction; when anyone eligible rejects, the proposal is rejected.
   */
  decide(id: string, signed: TSignedApproval, who: Decider): Result<{ state: ProposalRow['state']; quorum: QuorumResult; applied: RevisionRow | null }, PolicyDecideCode> {
    type Out = Result<{ state: ProposalRow['state']; quorum: QuorumResult; applied: RevisionRow | null }, PolicyDecideCode>;
    return this.db.$client
      .transaction((): Out => {
        const stored = this.db.select().from(policyProposals).where(eq(policyProposals.id, id)).get();
        if (!stored) return err('PROPOSAL_NOT_FOUND', `no policy proposal ${id}`);
        const row = this.observed(stored, true);
        const actor = `user:${who.username}`;
        const subject = proposalSubject(id);
        const refuse = (code: PolicyDecideCode, message: string): Out => {
          this.audit.append({ actor, action: 'approval.refused', subject, payload: { code, message, keyid: String(signed.keyid) } });
          return err(code, message);
        };
        if (row.state === 'expired') return refuse('EXPIRED', `proposal ${id} expired unanswered at ${row.expiresAt.toISOString()}`);
        if (row.state === 'stale') return refuse('STALE', `proposal ${id} was made against revision ${row.baseRevision}, which is no longer in force; propose it again`);
        if (row.state !== 'pending') return refuse('NOT_PENDING', `proposal ${id} is ${row.state}`);
        if (this.inbox.deciderOfKey(String(signed.keyid))?.id !== who.id) return refuse('KEY_NOT_YOURS', 'the statement is signed with a key that is not registered to you');
        if (this.db.select({ id: approvalStatements.id }).from(approvalStatements).where(eq(approvalStatements.sig, String(signed.sig))).get()) {
          return refuse('DUPLICATE', 'this signed statement was already recorded');
        }
        const alone = this.evaluate(row, [signed]);
        const own = alone.refused.find((r) => r.keyid === signed.keyid);
        if (own) return refuse(own.code, own.message);
        const counted = alone.counted[0]!;
        // As in the inbox: without PRO a quorum above one is refused, never lowered to one.
        const approval = this.current().policy.approval;
        if (counted.statement.decision === 'approve' && quorumPlaces(approval) > 1) {
          const licensed = this.license.require('approval_quorum');
          if (!licensed.ok) return refuse('LICENSE_REQUIRED', `The approval policy needs ${describeQuorum(approval)}: ${licensed.message}`);
        }
        const now = this.now();
        this.audit.record(
          { actor, action: 'approval.recorded', subject, payload: { keyid: signed.keyid, decision: counted.statement.decision, statementSha256: sha256Hex(counted.canonical) } },
          () =>
            this.db
              .insert(approvalStatements)
              .values({ subject, keyid: signed.keyid, userId: who.id, decision: counted.statement.decision, payload: signed.payload, sig: signed.sig, receivedAt: now })
              .run(),
        );
        const quorum = this.evaluate(row);
        if (quorum.state === 'pending') return ok({ state: 'pending' as const, quorum, applied: null });
        if (quorum.state === 'rejected') {
          this.audit.record({ actor, action: 'policy.proposal_rejected', subject, payload: { detail: quorum.detail } }, () =>
            this.db.update(policyProposals).set({ state: 'rejected', decidedAt: now, detail: quorum.detail }).where(eq(policyProposals.id, id)).run(),
          );
          return ok({ state: 'rejected' as const, quorum, applied: null });
        }
        const candidate = parsePolicyText(row.candidateJson);
        if (!candidate.ok) throw new Error(`proposal ${id} no longer validates: ${candidate.message}`);
        const applied = this.insertRevision({
          revision: row.baseRevision + 1, name: candidate.value.name, policyJson: row.candidateJson, sha256: row.candidateSha256, source: 'proposal', fileSha256: null,
          proposalId: id, changes: row.changes, actor: `proposal:${id}`, reason: `${row.reason} (proposed by ${row.proposer}; ${quorum.detail})`, createdAt: now,
        });
        this.db.update(policyProposals).set({ state: 'applied', decidedAt: now, detail: quorum.detail }).where(eq(policyProposals.id, id)).run();
        return ok({ state: 'applied' as const, quorum, applied });
      })
      .immediate();
  }

  parse(row: RevisionRow): TPolicy {
    const parsed = parsePolicyText(row.policyJson);
    if (!parsed.ok) throw new Error(`policy revision ${row.revision} no longer validates: ${parsed.message}`);
    return parsed.value;
  }

  /**
   * Asked before every run (current()), so prepared once as plain SQL: the Drizzle builder rebuilt
   * and re-prepared it each time, 5 % of a warm run's main-thread time (bench/profile-governed.ts).
   */
  private topStatement?: Statement<[], { revision: number; sha256: string }>;

  private top(): { revision: number; sha256: string } | undefined {
    this.topStatement ??= this.db.$client.prepare('SELECT revision, sha256 FROM policy_revisions ORDER BY revision DESC LIMIT 1');
    return this.topStatement.get();
  }

  /** A pending proposal past its time, or made against a revision no longer in force, reads as expired or stale (and is recorded so when `record`). */
  private observed(row: ProposalRow, record = false): ProposalRow {
    if (row.state !== 'pending') return row;
    const now = this.now();
    const top = this.top();
    const state = now.getTime() >= row.expiresAt.getTime() ? 'expired' : top?.revision !== row.baseRevision || top.sha256 !== row.baseSha256 ? 'stale' : 'pending';
    if (state === 'pending') return row;
    const detail = state === 'expired' ? 'nobody decided in time' : `revision ${top?.revision} replaced revision ${row.baseRevision} first`;
    if (record) {
      this.audit.record({ actor: 'system', action: state === 'expired' ? 'policy.proposal_expired' : 'policy.proposal_stale', subject: proposalSubject(row.id), payload: { detail } }, () =>
        this.db.update(policyProposals).set({ state, decidedAt: now, detail }).where(eq(policyProposals.id, row.id)).run(),
      );
    }
    return { ...row, state, detail };
  }

  private insertRevision(row: RevisionRow): RevisionRow {
    this.audit.record(
      {
        actor: row.actor,
        action: 'policy.revised',
        subject: policySubject(row.name),
        payload: { revision: row.revision, sha256: row.sha256, source: row.source, proposalId: row.proposalId, reason: row.reason, changes: changesOf(row.changes).map((c) => `${c.path}: ${c.effect}`) },
      },
      () => this.db.insert(policyRevisions).values(row).run(),
    );
    return row;
  }
}
