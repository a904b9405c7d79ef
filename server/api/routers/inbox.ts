/**
 * The Agent Inbox in the console: the list, the review page's evidence, and signed decisions. The
 * browser signs; the server only verifies (server/core/inbox) and applies the quorum. The deciding
 * person is always the session user; a statement signed with a key registered to someone else is
 * refused (KEY_NOT_YOURS).
 */
import { z } from 'zod';
import { ZSignedApprovalSchema, APPROVAL_FORMAT, describeQuorum } from '../../core/inbox';
import { decodeBase64Strict } from '../../core/crypto/keys';
import { err, ok } from '../../core/result';
import type { Services } from '../../services/index';
import type { DecideCode, SubmissionView } from '../../services/inbox';
import { reviewOf, type Review } from '../../services/inbox-review';
import { unwrap, type DomainStatus } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';
import { REFUSAL_STATUS } from '../refusal-status';

export const ZSubmissionStateSchema = z.enum(['pending', 'approved', 'rejected', 'expired', 'withdrawn']);

export const ZInboxItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  state: ZSubmissionStateSchema,
  purpose: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type TInboxItem = z.infer<typeof ZInboxItemSchema>;

const item = (s: SubmissionView): TInboxItem => ({
  id: s.id,
  name: s.name,
  version: s.version,
  state: s.state,
  purpose: s.purpose,
  createdAt: s.createdAt.toISOString(),
  expiresAt: s.expiresAt.toISOString(),
});

/** What the browser puts in the statement it signs, besides the decision, reason and time it adds. */
export interface TStatementFields {
  readonly format: typeof APPROVAL_FORMAT;
  readonly subject: string;
  readonly wasmSha256: string;
  readonly manifestSha256: string;
  readonly policy: { readonly name: string; readonly revision: number };
}

export interface TReview extends Omit<Review, 'submission'> {
  readonly submission: TInboxItem & { wasmSha256: string; manifestSha256: string; sizeBytes: number; detail: string | null };
  readonly statement: TStatementFields;
  readonly quorum: {
    readonly state: 'met' | 'rejected' | 'pending';
    readonly detail: string;
    readonly rule: string;
    readonly decisions: { username: string; decision: string; reason: string; time: string }[];
  };
  /** Whether the viewer may decide, and if not, why (separation of duties is shown, not just enforced). */
  readonly you: { readonly mayDecide: boolean; readonly why: string | null; readonly keyids: string[] };
}

/** Closed: a new refusal code is a compile error here until someone decides its status. */
const DECIDE_STATUS: { readonly [K in DecideCode]: DomainStatus } = {
  ...REFUSAL_STATUS,
  SUBMISSION_NOT_FOUND: 'NOT_FOUND',
  NOT_PENDING: 'CONFLICT',
  EXPIRED: 'CONFLICT', // the submission expired: its state, not the statement, is the conflict
  DUPLICATE: 'CONFLICT',
  KEY_NOT_YOURS: 'BAD_REQUEST',
  LICENSE_REQUIRED: 'FORBIDDEN',
};

function review(services: Services, id: string, viewer: { id: string; role: string }): TReview | undefined {
  const r = reviewOf(services, id);
  if (!r) return undefined;
  const s = r.submission;
  const row = { id: s.id, wasmSha256: s.wasmSha256, manifestSha256: s.manifestSha256, ownerUserId: s.ownerUserId };
  const policy = services.policy.policy;
  const quorum = services.inbox.evaluate(row, policy);
  const keyids = services.inbox.keysOf(viewer.id);
  const why =
    s.ownerUserId === viewer.id
      ? 'You own the agent that submitted this, so you cannot decide it.'
      : s.state !== 'pending'
        ? `It is ${s.state}.`
        : keyids.length === 0
          ? 'Register your approval key first.'
          : null;
  return {
    ...r,
    submission: { ...item(s), wasmSha256: s.wasmSha256, manifestSha256: s.manifestSha256, sizeBytes: s.sizeBytes, detail: s.detail },
    statement: { format: APPROVAL_FORMAT, subject: `submission:${s.id}`, wasmSha256: s.wasmSha256, manifestSha256: s.manifestSha256, policy: { name: policy.name, revision: policy.revision } },
    quorum: {
      state: quorum.state,
      detail: quorum.detail,
      rule: describeQuorum(policy.approval),
      decisions: quorum.counted.map((c) => ({ username: c.person.username, decision: c.statement.decision, reason: c.statement.reason, time: c.statement.time })),
    },
    you: { mayDecide: why === null, why, keyids },
  };
}

const ZIdSchema = z.object({ id: z.string().uuid() });

export const inboxRouter = createTRPCRouter({
  list: guarded('inbox.list')
    .input(z.object({ state: ZSubmissionStateSchema.optional() }).optional())
    .output(z.array(ZInboxItemSchema))
    .query(({ ctx, input }) => ctx.services.inbox.list({ state: input?.state }).map(item)),

  // The review is assembled from typed core results (verdict, threat) on the server; its shape is the TReview type.
  review: guarded('inbox.review')
    .input(ZIdSchema)
    .output(z.custom<TReview>())
    .query(({ ctx, input }) => {
      const found = review(ctx.services, input.id, ctx.user);
      return unwrap(found ? ok(found) : err('SUBMISSION_NOT_FOUND', `no submission ${input.id}`), { SUBMISSION_NOT_FOUND: 'NOT_FOUND' });
    }),

  decide: guarded('inbox.decide')
    .input(z.object({ id: z.string().uuid(), signed: ZSignedApprovalSchema }))
    .output(z.object({ state: ZSubmissionStateSchema, detail: z.string() }))
    .mutation(({ ctx, input }) => {
      const r = unwrap(ctx.services.inbox.decide(input.id, input.signed, { id: ctx.user.id, username: ctx.user.username }), DECIDE_STATUS);
      return { state: r.state, detail: r.quorum.detail };
    }),

  /** The navigation's badge: submissions waiting for a decision (shown to those who decide). */
  pendingCount: guarded('inbox.pendingCount')
    .output(z.number().int())
    .query(({ ctx }) => ctx.services.inbox.list({ state: 'pending', limit: 500 }).length),

  registerKey: guarded('inbox.registerKey')
    .input(z.object({ publicKey: z.string().max(64) }))
    .output(z.object({ keyid: z.string() }))
    .mutation(({ ctx, input }) => {
      const bytes = decodeBase64Strict(input.publicKey);
      const result = bytes ? ctx.services.inbox.registerApproverKey(bytes, { id: ctx.user.id, username: ctx.user.username }) : err('INVALID_KEY' as const, 'the public key is not base64');
      return unwrap(result, { INVALID_KEY: 'BAD_REQUEST', KEY_EXISTS: 'CONFLICT', INVALID_NAME: 'BAD_REQUEST' });
    }),
});
