/**
 * Quarantine release by quorum: each approver signs a `release` statement bound to one quarantine
 * entry (server/core/inbox/quarantine-release.ts); when the approval policy's quorum is met the
 * entry is released, in the same transaction as the statement that completed it. The rules are
 * the inbox's: the key must be registered to the person sending it, a statement that would not
 * count is refused (and the refusal audited) and never stored, one person counts once, and a
 * statement for another entry counts for nothing.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { approvalStatements, users } from '../../db/schema';
import { err, ok, type Result } from '../core/result';
import { sha256Hex } from '../core/crypto/digest';
import { decodeBase64Strict } from '../core/crypto/keys';
import type { TPolicy } from '../core/guardian/schema';
import {
  describeQuorum,
  quarantineSubject,
  quorumPlaces,
  releaseTarget,
  ZApprovalStatementSchema,
  type ApprovalTarget,
  type QuorumResult,
  type RefusalCode,
  type TSignedApproval,
} from '../core/inbox';
import type { AuditLog } from './audit-log';
import type { LicenseService } from './license';
import type { Decider, InboxService } from './inbox';
import type { QuarantineRow, QuarantineService } from './quarantine';

export type ReleaseCode = 'QUARANTINE_NOT_FOUND' | 'NOT_QUARANTINED' | 'KEY_NOT_YOURS' | 'DUPLICATE' | 'REASON_REQUIRED' | 'LICENSE_REQUIRED' | RefusalCode;

/** One signed release as recorded (verified when it arrived), for the page and the history. */
export interface RecordedRelease {
  readonly username: string;
  readonly keyid: string;
  readonly time: string;
  readonly reason: string;
}

export interface ReleaseStatus {
  readonly state: 'met' | 'pending';
  readonly released: boolean;
  readonly detail: string;
  /** The quorum in words ("1 with role approver AND 1 from group managers"). */
  readonly rule: string;
  /** The statements that count now. */
  readonly counted: readonly RecordedRelease[];
}

export class QuarantineReleases {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly inbox: InboxService,
    private readonly quarantine: QuarantineService,
    private readonly policy: () => TPolicy,
    private readonly now: () => Date,
    /** Asked before a release counts toward a quorum above one (a PRO feature, as for submissions). */
    private readonly license: Pick<LicenseService, 'require'>,
  ) {}

  /** What an approver signs to release this entry (the browser and the CLI build the statement from it). */
  target(entry: Pick<QuarantineRow, 'id' | 'wasmSha256' | 'since'>): ApprovalTarget {
    const { name, revision } = this.policy();
    return releaseTarget(entry, { name, revision });
  }

  /** Collected approvals of an active entry and what is still needed. */
  status(entry: QuarantineRow): ReleaseStatus {
    const quorum = this.evaluate(entry);
    return {
      state: quorum.state === 'met' ? 'met' : 'pending',
      released: entry.releasedAt !== null,
      detail: quorum.detail,
      rule: describeQuorum(this.policy().approval),
      counted: quorum.counted.map((c) => ({ username: c.person.username, keyid: c.keyid, time: c.statement.time, reason: c.statement.reason })),
    };
  }

  /** Every release statement recorded for an entry (each one counted when it arrived): the history's who, when and why. */
  recorded(entryId: number): RecordedRelease[] {
    const rows = this.db
      .select({ keyid: approvalStatements.keyid, payload: approvalStatements.payload, username: users.username })
      .from(approvalStatements)
      .leftJoin(users, eq(users.id, approvalStatements.userId))
      .where(eq(approvalStatements.subject, quarantineSubject(entryId)))
      .orderBy(approvalStatements.id)
      .all();
    return rows.flatMap((r) => {
      const statement = parseStored(r.payload);
      return statement ? [{ username: r.username ?? '(deleted user)', keyid: r.keyid, time: statement.time, reason: statement.reason }] : [];
    });
  }

  /** Records one signed release statement by `who`; releases the entry when the quorum is met. */
  sign(entryId: number, signed: TSignedApproval, who: Decider): Result<{ released: boolean; quorum: QuorumResult }, ReleaseCode> {
    return this.db.$client.transaction((): Result<{ released: boolean; quorum: QuorumResult }, ReleaseCode> => {
      const subject = quarantineSubject(entryId);
      const actor = `user:${who.username}`;
      const refuse = (code: ReleaseCode, message: string) => {
        this.audit.append({ actor, action: 'approval.refused', subject, payload: { code, message, keyid: String(signed.keyid) } });
        return err(code, message);
      };
      const entry = this.quarantine.byId(entryId);
      if (!entry) return err('QUARANTINE_NOT_FOUND', `no quarantine entry ${entryId}`);
      if (entry.releasedAt !== null) return refuse('NOT_QUARANTINED', `quarantine entry ${entryId} was already released`);
      if (this.inbox.keyOwner(String(signed.keyid)) !== who.id) return refuse('KEY_NOT_YOURS', 'the statement is signed with a key that is not registered to you');
      if (this.inbox.alreadyRecorded(String(signed.sig))) return refuse('DUPLICATE', 'this signed statement was already recorded');
      const alone = this.evaluate(entry, [signed]);
      const own = alone.refused.find((r) => r.keyid === signed.keyid);
      if (own) return refuse(own.code, own.message);
      const counted = alone.counted[0]!;
      // A release always needs a reason, whatever the policy says about approvals.
      if (counted.statement.reason.trim() === '') return refuse('REASON_REQUIRED', 'releasing a module from quarantine needs a reason');
      // As for submissions: without PRO a quorum above one is refused, never lowered to one.
      const policy = this.policy();
      if (quorumPlaces(policy.approval) > 1) {
        const licensed = this.license.require('approval_quorum');
        if (!licensed.ok) return refuse('LICENSE_REQUIRED', `The approval policy needs ${describeQuorum(policy.approval)}: ${licensed.message}`);
      }
      this.audit.record(
        { actor, action: 'approval.recorded', subject, payload: { keyid: signed.keyid, decision: 'release', statementSha256: sha256Hex(counted.canonical) } },
        () =>
          this.db
            .insert(approvalStatements)
            .values({ subject, keyid: signed.keyid, userId: who.id, decision: 'release', payload: signed.payload, sig: signed.sig, receivedAt: this.now() })
            .run(),
      );
      const quorum = this.evaluate(entry);
      if (quorum.state !== 'met') return ok({ released: false, quorum });
      const names = quorum.counted.map((c) => c.person.username);
      const released = this.quarantine.releaseEntry(
        entry.id,
        {
          reason: quorum.counted.map((c) => `${c.person.username}: ${c.statement.reason.trim()}`).join('; '),
          releasedBy: `quorum: ${names.join(', ')}`,
          approvals: quorum.counted.map((c) => ({ keyid: c.keyid, approver: c.person.username, time: c.statement.time, statementSha256: sha256Hex(c.canonical) })),
        },
        actor,
      );
      if (!released.ok) throw new Error(released.message); // checked above, inside this transaction
      return ok({ released: true, quorum });
    })();
  }

  private evaluate(entry: Pick<QuarantineRow, 'id' | 'wasmSha256' | 'since'>, only?: readonly TSignedApproval[]): QuorumResult {
    const policy = this.policy();
    return this.inbox.evaluateTarget(this.target(entry), policy, new Map(), only ?? this.inbox.statementsFor(quarantineSubject(entry.id)));
  }
}

function parseStored(payload: string): { time: string; reason: string } | undefined {
  const bytes = decodeBase64Strict(payload);
  if (!bytes) return undefined;
  try {
    const parsed = ZApprovalStatementSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? { time: parsed.data.time, reason: parsed.data.reason } : undefined;
  } catch {
    return undefined;
  }
}
