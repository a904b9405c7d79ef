/**
 * The Agent Inbox over SQLite: submissions from agents, signed decisions from people, and the
 * quorum (server/core/inbox) that turns them into approved or rejected. Every transition is written
 * with its audit event in one transaction. The deciding person always comes from the caller's
 * session; a statement only counts if its key is registered to that same person.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, lte, sql } from 'drizzle-orm';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/client';
import { approvalStatements, approverKeys, submissions, users } from '../../db/schema';
import { err, ok, type Result } from '../core/result';
import { sha256Hex } from '../core/crypto/digest';
import { isRole } from '../core/access/rbac';
import type { TPolicy } from '../core/guardian/schema';
import type { Reverification, StoredModule } from '../core/run';
import {
  describeQuorum,
  evaluateQuorum,
  quorumPlaces,
  expiryFor,
  judgeSubmissionModule,
  submissionIdOf,
  observedState,
  readSubmission,
  transition,
  type ApprovalTarget,
  type ApproverKey,
  type IntakeCode,
  type Person,
  type QuorumResult,
  type RefusalCode,
  type TSignedApproval,
} from '../core/inbox';
import type { AuditLog } from './audit-log';
import type { TrustStore } from './trust-store';
import { actorForAgent, type PublicAgent } from './agents';
import type { LicenseService } from './license';
import type { ModuleRegistry } from './module-registry';

export type SubmissionRow = typeof submissions.$inferSelect;
/** A submission without its bytes, with the state a reader should see (overdue pending reads as expired). */
export type SubmissionView = Omit<SubmissionRow, 'wasm'>;

export type SubmitCode = IntakeCode | 'RATE_LIMITED';
export type DecideCode = 'SUBMISSION_NOT_FOUND' | 'NOT_PENDING' | 'EXPIRED' | 'KEY_NOT_YOURS' | 'DUPLICATE' | 'LICENSE_REQUIRED' | RefusalCode;
export type RegisterKeyCode = 'INVALID_KEY' | 'KEY_EXISTS' | 'INVALID_NAME';

export interface Decider {
  readonly id: string;
  readonly username: string;
}

const subjectOf = (id: string) => `submission:${id}`;
const view = ({ wasm: _bytes, ...rest }: SubmissionRow, now: Date): SubmissionView => ({ ...rest, state: observedState(rest, now) });

export class InboxService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly trust: TrustStore,
    private readonly policy: () => TPolicy,
    private readonly now: () => Date,
    /** Asked before an approval counts toward a quorum above one (a PRO feature). */
    private readonly license: Pick<LicenseService, 'require'>,
    /** Where an approved submission is stored to run (absent in tests of the inbox alone). */
    private readonly modules?: ModuleRegistry,
  ) {}

  /** Accepts a submission as pending. The rate check and the insert share one transaction, so concurrent requests cannot both slip under the limit. */
  submit(agent: PublicAgent, input: { wasm: Uint8Array; manifest: unknown; purpose: unknown }, recentCount: () => number): Result<SubmissionView, SubmitCode> {
    const intake = readSubmission({ ...input, defaultName: agent.name });
    if (!intake.ok) return intake;
    const { name, version } = intake.value.manifest;
    const taken = this.modules?.find(name, version);
    if (taken && taken.wasmSha256 !== intake.value.wasmSha256) {
      const issue = `manifest.version: ${name}@${version} is already stored with other code; use a new version`;
      return err('SUBMISSION_INVALID', `The submission has 1 problem(s): ${issue}`, [issue]);
    }
    const policy = this.policy();
    return this.db.$client.transaction((): Result<SubmissionView, SubmitCode> => {
      if (recentCount() >= agent.ratePerHour) return err('RATE_LIMITED', `agent ${agent.name} may submit ${agent.ratePerHour} modules per hour`);
      const now = this.now();
      const row: SubmissionRow = {
        id: randomUUID(),
        agentId: agent.id,
        ownerUserId: agent.ownerUserId,
        name: intake.value.manifest.name,
        version: intake.value.manifest.version,
        purpose: intake.value.purpose,
        manifestJson: intake.value.manifestJson,
        manifestSha256: intake.value.manifestSha256,
        wasm: Buffer.from(input.wasm),
        wasmSha256: intake.value.wasmSha256,
        sizeBytes: input.wasm.length,
        state: 'pending',
        policyName: policy.name,
        policyRevision: policy.revision,
        createdAt: now,
        expiresAt: expiryFor(now, policy.approval),
        decidedAt: null,
        detail: null,
      };
      this.audit.record(
        {
          actor: actorForAgent(agent.name),
          action: 'submission.received',
          subject: subjectOf(row.id),
          payload: { name: row.name, version: row.version, wasmSha256: row.wasmSha256, manifestSha256: row.manifestSha256, purpose: row.purpose },
        },
        () => this.db.insert(submissions).values(row).run(),
      );
      return ok(view(row, now));
    })();
  }

  /** What the module source needs to judge a stored submission module now (server/core/inbox/module-source.ts). */
  judgeModule(module: StoredModule): Reverification {
    const id = submissionIdOf(module.envelopeJson);
    const row = id === undefined ? undefined : this.row(id);
    const facts = row && { id: row.id, state: observedState(row, this.now()), wasmSha256: row.wasmSha256, manifestSha256: row.manifestSha256 };
    return judgeSubmissionModule(module, facts, row && this.evaluate(row, this.policy()));
  }

  get(id: string): SubmissionView | undefined {
    const row = this.row(id);
    return row && view(row, this.now());
  }

  wasmOf(id: string): Uint8Array | undefined {
    return this.row(id)?.wasm;
  }

  list(filter: { state?: SubmissionRow['state']; limit?: number } = {}): SubmissionView[] {
    const now = this.now();
    const rows = this.db.select().from(submissions).orderBy(desc(submissions.createdAt)).limit(Math.min(filter.limit ?? 100, 500)).all();
    return rows.map((r) => view(r, now)).filter((r) => filter.state === undefined || r.state === filter.state);
  }

  /** The latest approved submission of the same name before this one (the review page diffs against it). */
  lastApproved(name: string, before: Date): SubmissionView | undefined {
    const row = this.db
      .select()
      .from(submissions)
      .where(and(eq(submissions.name, name), eq(submissions.state, 'approved'), lte(submissions.createdAt, before)))
      .orderBy(desc(submissions.createdAt))
      .get();
    return row && view(row, this.now());
  }

  /** An approver registers their own Ed25519 key: added to the trust store with role approver and bound to them. */
  registerApproverKey(publicKey: Uint8Array, who: Decider): Result<{ keyid: string }, RegisterKeyCode> {
    const actor = `user:${who.username}`;
    return this.db.$client.transaction((): Result<{ keyid: string }, RegisterKeyCode> => {
      const added = this.trust.add({ publicKey, role: 'approver', name: `approval key of ${who.username}` }, actor);
      if (!added.ok) return added;
      this.audit.record({ actor, action: 'approval.key_registered', subject: `key:${added.value.keyid}`, payload: { user: who.username } }, () =>
        this.db.insert(approverKeys).values({ keyid: added.value.keyid, userId: who.id, boundBy: actor, boundAt: this.now() }).run(),
      );
      return ok({ keyid: added.value.keyid });
    })();
  }

  /** The person an approval key is registered to (the CLI: holding the private key file is being that person). */
  deciderOfKey(keyid: string): Decider | undefined {
    const userId = this.binding(keyid);
    const person = userId === undefined ? undefined : this.person(userId);
    return person && { id: person.id, username: person.username };
  }

  userByName(username: string): Decider | undefined {
    return this.db.select({ id: users.id, username: users.username }).from(users).where(eq(users.username, username)).get();
  }

  /** Keys registered to a person (the console shows which key the browser holds). */
  keysOf(userId: string): string[] {
    return this.db.select({ keyid: approverKeys.keyid }).from(approverKeys).where(eq(approverKeys.userId, userId)).all().map((r) => r.keyid);
  }

  /**
   * Records a signed decision by `who` and applies the quorum. A statement that would not count
   * is refused (and the refusal audited), never stored: the stored statements are exactly the ones
   * that counted when they arrived.
   */
  decide(id: string, signed: TSignedApproval, who: Decider): Result<{ state: SubmissionView['state']; quorum: QuorumResult }, DecideCode> {
    return this.db.$client.transaction((): Result<{ state: SubmissionView['state']; quorum: QuorumResult }, DecideCode> => {
      const row = this.row(id);
      if (!row) return err('SUBMISSION_NOT_FOUND', `no submission ${id}`);
      const now = this.now();
      const actor = `user:${who.username}`;
      const subject = subjectOf(id);
      const refuse = (code: DecideCode, message: string) => {
        this.audit.append({ actor, action: 'approval.refused', subject, payload: { code, message, keyid: String(signed.keyid) } });
        return err(code, message);
      };
      const allowed = transition(row, 'approved', now);
      if (!allowed.ok) {
        if (allowed.code === 'EXPIRED') this.expire(row, now);
        return refuse(allowed.code, allowed.message);
      }
      const binding = this.binding(String(signed.keyid));
      if (binding !== who.id) return refuse('KEY_NOT_YOURS', 'the statement is signed with a key that is not registered to you');
      if (this.db.select({ id: approvalStatements.id }).from(approvalStatements).where(eq(approvalStatements.sig, String(signed.sig))).get()) {
        return refuse('DUPLICATE', 'this signed statement was already recorded');
      }
      const policy = this.policy();
      const alone = this.evaluate(row, policy, [signed]);
      const own = alone.refused.find((r) => r.keyid === signed.keyid);
      if (own) return refuse(own.code, own.message);
      const decision = alone.counted[0]!.statement.decision;
      // Without PRO a quorum above one is refused, never lowered to one: the policy stays as strong
      // as written and nothing is approved until a license is installed (a rejection still counts).
      if (decision === 'approve' && quorumPlaces(policy.approval) > 1) {
        const licensed = this.license.require('approval_quorum');
        if (!licensed.ok) return refuse('LICENSE_REQUIRED', `The approval policy needs ${describeQuorum(policy.approval)}: ${licensed.message}`);
      }
      this.audit.record(
        { actor, action: 'approval.recorded', subject, payload: { keyid: signed.keyid, decision, statementSha256: sha256Hex(alone.counted[0]!.canonical) } },
        () =>
          this.db
            .insert(approvalStatements)
            .values({ subject, keyid: signed.keyid, userId: who.id, decision, payload: signed.payload, sig: signed.sig, receivedAt: now })
            .run(),
      );
      const quorum = this.evaluate(row, policy);
      if (quorum.state === 'pending') return ok({ state: 'pending' as const, quorum });
      const to = quorum.state === 'met' ? 'approved' : 'rejected';
      const keyids = quorum.counted.map((c) => c.keyid);
      const stored = to === 'approved' ? this.modules?.storeApprovedSubmission(row, keyids, actor) : undefined;
      // Approved stays approved; a version taken by other code meanwhile only means it is not stored to run.
      const detail = stored && !stored.ok ? `${quorum.detail} Not runnable: ${stored.message}.` : quorum.detail;
      this.audit.record(
        { actor, action: to === 'approved' ? 'submission.approved' : 'submission.rejected', subject, payload: { detail, keyids } },
        () => this.db.update(submissions).set({ state: to, decidedAt: now, detail }).where(eq(submissions.id, id)).run(),
      );
      return ok({ state: to, quorum });
    })();
  }

  /** The agent (or its owner) takes a pending submission back. */
  withdraw(id: string, actor: string, isAllowed: (row: SubmissionView) => boolean): Result<SubmissionView, 'SUBMISSION_NOT_FOUND' | 'NOT_PENDING' | 'EXPIRED' | 'FORBIDDEN'> {
    return this.db.$client.transaction((): Result<SubmissionView, 'SUBMISSION_NOT_FOUND' | 'NOT_PENDING' | 'EXPIRED' | 'FORBIDDEN'> => {
      const row = this.row(id);
      if (!row || !isAllowed(view(row, this.now()))) return row ? err('FORBIDDEN', 'only the submitting agent or its owner may withdraw it') : err('SUBMISSION_NOT_FOUND', `no submission ${id}`);
      const now = this.now();
      const allowed = transition(row, 'withdrawn', now);
      if (!allowed.ok) return err(allowed.code, allowed.message);
      this.audit.record({ actor, action: 'submission.withdrawn', subject: subjectOf(id), payload: {} }, () =>
        this.db.update(submissions).set({ state: 'withdrawn', decidedAt: now, detail: `withdrawn by ${actor}` }).where(eq(submissions.id, id)).run(),
      );
      return ok(view({ ...row, state: 'withdrawn', decidedAt: now }, now));
    })();
  }

  /** Records every overdue pending submission as expired (the sweep; readers already see them expired). */
  expireDue(): number {
    const now = this.now();
    const due = this.db.select().from(submissions).where(and(eq(submissions.state, 'pending'), lte(submissions.expiresAt, now))).all();
    for (const row of due) this.db.$client.transaction(() => this.expire(row, now))();
    return due.length;
  }

  /** The quorum for a submission under `policy`, over its stored statements (or only `only`, to judge one before storing it). */
  evaluate(row: Pick<SubmissionRow, 'id' | 'wasmSha256' | 'manifestSha256' | 'ownerUserId'>, policy: TPolicy, only?: readonly TSignedApproval[]): QuorumResult {
    const target: ApprovalTarget = { subject: subjectOf(row.id), wasmSha256: row.wasmSha256, manifestSha256: row.manifestSha256, policy: { name: policy.name, revision: policy.revision } };
    return this.evaluateTarget(target, policy, new Map([[row.ownerUserId, 'owns the agent that submitted it']]), only ?? this.statements(row.id));
  }

  /** The quorum of any subject (a submission, a quarantine entry) over `signed`, with the trust store and the people as they are now. */
  evaluateTarget(target: ApprovalTarget, policy: TPolicy, excluded: ReadonlyMap<string, string>, signed: readonly TSignedApproval[]): QuorumResult {
    return evaluateQuorum({ target, policy: policy.approval, signed, key: this.approverKey, person: this.person, excluded, now: this.now() });
  }

  /** The console user an approval key is registered to. */
  keyOwner(keyid: string): string | undefined {
    return this.binding(keyid);
  }

  /** True when exactly this signature was already recorded (about anything). */
  alreadyRecorded(sig: string): boolean {
    return this.db.select({ id: approvalStatements.id }).from(approvalStatements).where(eq(approvalStatements.sig, sig)).get() !== undefined;
  }

  /** Approved submissions with exactly these digests, newest first (the approvals port reads them). */
  /**
   * Asked before every governed run (the approvals port), so prepared once: building the Drizzle
   * query on each call cost about 10% of a warm run (bench/profile-governed.ts).
   */
  private approvedForQuery?: ReturnType<InboxService['prepareApprovedFor']>;

  private prepareApprovedFor() {
    return this.db
      .select()
      .from(submissions)
      .where(and(eq(submissions.wasmSha256, sql.placeholder('wasm')), eq(submissions.manifestSha256, sql.placeholder('manifest')), eq(submissions.state, 'approved')))
      .orderBy(desc(submissions.decidedAt))
      .limit(5)
      .prepare();
  }

  /** One indexed probe: nearly every run is of a module that never came through the inbox. */
  private anyApprovedQuery?: Statement<[string, string], number>;

  approvedFor(wasmSha256: string, manifestSha256: string): SubmissionRow[] {
    // Asked before every run; the probe costs about 4 µs where the Drizzle query below costs 21.
    this.anyApprovedQuery ??= this.db.$client
      .prepare<[string, string], number>("SELECT 1 FROM submissions WHERE wasm_sha256 = ? AND manifest_sha256 = ? AND state = 'approved' LIMIT 1")
      .pluck();
    if (this.anyApprovedQuery.get(wasmSha256, manifestSha256) === undefined) return [];
    this.approvedForQuery ??= this.prepareApprovedFor();
    return this.approvedForQuery.all({ wasm: wasmSha256, manifest: manifestSha256 });
  }

  statements(id: string): TSignedApproval[] {
    return this.statementsFor(subjectOf(id));
  }

  /** Stored statements about any subject (policy proposals keep theirs here too: `policy:<id>`). */
  statementsFor(subject: string): TSignedApproval[] {
    return this.db
      .select({ payload: approvalStatements.payload, keyid: approvalStatements.keyid, sig: approvalStatements.sig })
      .from(approvalStatements)
      .where(eq(approvalStatements.subject, subject))
      .orderBy(approvalStatements.id)
      .all();
  }

  private expire(row: SubmissionRow, now: Date): void {
    if (row.state !== 'pending') return;
    this.audit.record({ actor: 'system', action: 'submission.expired', subject: subjectOf(row.id), payload: { expiresAt: row.expiresAt.toISOString() } }, () =>
      this.db.update(submissions).set({ state: 'expired', decidedAt: now, detail: 'nobody decided in time' }).where(and(eq(submissions.id, row.id), eq(submissions.state, 'pending'))).run(),
    );
  }

  private row(id: string): SubmissionRow | undefined {
    return this.db.select().from(submissions).where(eq(submissions.id, id)).get();
  }

  private binding(keyid: string): string | undefined {
    return this.db.select({ userId: approverKeys.userId }).from(approverKeys).where(eq(approverKeys.keyid, keyid)).get()?.userId;
  }

  /** An approval key as the quorum sees it (trust store entry + the person it is bound to). */
  readonly approverKey = (keyid: string): ApproverKey | undefined => {
    const key = this.trust.lookup(keyid);
    if (!key) return undefined;
    return { keyid: key.keyid, publicKey: key.publicKey, role: key.role, status: key.status, userId: this.binding(keyid) ?? null };
  };

  readonly person = (userId: string): Person | undefined => {
    const u = this.db.select({ id: users.id, username: users.username, role: users.role, disabled: users.disabled }).from(users).where(eq(users.id, userId)).get();
    return u && isRole(u.role) ? { id: u.id, username: u.username, role: u.role, disabled: u.disabled } : undefined;
  };
}
