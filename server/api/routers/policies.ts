/**
 * The Guardian policy in the console: the revision in force, its history with classified diffs, a
 * server-side check of an edited policy (every bad field by path), proposing (a tightening applies
 * at once, a weakening waits for the quorum), restoring an old revision (always a proposal), and
 * signed decisions on proposals. The proposer and the deciding person are always the session user.
 */
import { z } from 'zod';
import { ZPolicySchema } from '../../core/guardian/schema';
import { ZSignedApprovalSchema, describeQuorum } from '../../core/inbox';
import type { PolicyChange } from '../../core/guardian/classify';
import type { PolicyDecideCode, ProposalRow, ProposeCode, RevisionRow } from '../../services/policy-revisions';
import { changesOf } from '../../services/policy-revisions';
import type { Services } from '../../services/index';
import { unwrap, type DomainStatus } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';
import type { TStatementFields } from './inbox';
import { REFUSAL_STATUS } from '../refusal-status';

export const ZActivePolicySchema = z.object({
  name: z.string(),
  revision: z.number().int(),
  sha256: z.string(),
  path: z.string(),
  policy: ZPolicySchema,
  /** Set when the configured file differs from the revision in force (it is not applied). */
  notice: z.string().nullable().default(null),
});
export type TActivePolicy = z.infer<typeof ZActivePolicySchema>;

const ZChangeSchema = z.object({ path: z.string(), from: z.unknown(), to: z.unknown(), effect: z.enum(['tighter', 'weaker', 'neutral']), why: z.string() });
export interface TPolicyChange { readonly path: string; readonly from?: unknown; readonly to?: unknown; readonly effect: 'tighter' | 'weaker' | 'neutral'; readonly why: string }
const ZKindSchema = z.enum(['unchanged', 'neutral', 'tightening', 'weakening']);

const ZRevisionSchema = z.object({
  revision: z.number().int(),
  name: z.string(),
  sha256: z.string(),
  source: z.enum(['seed', 'file', 'tightening', 'proposal']),
  actor: z.string(),
  reason: z.string(),
  createdAt: z.string(),
  changes: z.array(ZChangeSchema),
  policyJson: z.string(),
});
export type TPolicyRevision = z.infer<typeof ZRevisionSchema>;

const ZProposalSchema = z.object({
  id: z.string(),
  state: z.enum(['pending', 'applied', 'rejected', 'stale', 'expired']),
  baseRevision: z.number().int(),
  restoreOf: z.number().int().nullable(),
  proposer: z.string(),
  reason: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  detail: z.string().nullable(),
  candidateSha256: z.string(),
  candidateJson: z.string(),
  changes: z.array(ZChangeSchema),
});
export type TPolicyProposal = z.infer<typeof ZProposalSchema>;

const revisionOut = (r: RevisionRow): TPolicyRevision => ({
  revision: r.revision, name: r.name, sha256: r.sha256, source: r.source, actor: r.actor, reason: r.reason, createdAt: r.createdAt.toISOString(),
  changes: changesOf(r.changes) as PolicyChange[], policyJson: r.policyJson,
});
const proposalOut = (p: ProposalRow): TPolicyProposal => ({
  id: p.id, state: p.state, baseRevision: p.baseRevision, restoreOf: p.restoreOf, proposer: p.proposer, reason: p.reason, createdAt: p.createdAt.toISOString(),
  expiresAt: p.expiresAt.toISOString(), detail: p.detail, candidateSha256: p.candidateSha256, candidateJson: p.candidateJson, changes: changesOf(p.changes) as PolicyChange[],
});

const PROPOSE_STATUS: { readonly [K in ProposeCode]: DomainStatus } = {
  POLICY_NOT_JSON: 'BAD_REQUEST',
  POLICY_INVALID: 'BAD_REQUEST',
  NO_CHANGE: 'CONFLICT',
  REASON_REQUIRED: 'BAD_REQUEST',
  REVISION_NOT_FOUND: 'NOT_FOUND',
};
const DECIDE_STATUS: { readonly [K in PolicyDecideCode]: DomainStatus } = {
  ...REFUSAL_STATUS,
  PROPOSAL_NOT_FOUND: 'NOT_FOUND',
  NOT_PENDING: 'CONFLICT',
  EXPIRED: 'CONFLICT', // the proposal expired
  STALE: 'CONFLICT',
  DUPLICATE: 'CONFLICT',
  KEY_NOT_YOURS: 'BAD_REQUEST',
  LICENSE_REQUIRED: 'FORBIDDEN',
};

/** At most 256 KiB of policy text: a policy is a few KiB; more is a mistake or an attack. */
const ZPolicyText = z.string().min(1).max(256 * 1024);
const ZReason = z.string().max(2000);

const outcomeOut = (r: { applied: RevisionRow } | { proposal: ProposalRow }, kind: z.infer<typeof ZKindSchema>) =>
  'applied' in r ? { kind, applied: r.applied.revision, proposal: null } : { kind, applied: null, proposal: r.proposal.id };
const ZOutcomeSchema = z.object({ kind: ZKindSchema, applied: z.number().int().nullable(), proposal: z.string().nullable() });

/** The proposal page: the proposal, its quorum, what to sign, and whether the viewer may decide. */
function proposalView(s: Services, row: ProposalRow, user: { id: string }) {
  const quorum = s.policies.evaluate(row);
  const keyids = s.inbox.keysOf(user.id);
  const why =
    row.state !== 'pending'
      ? `This proposal is ${row.state}.`
      : row.proposerUserId === user.id
        ? 'You proposed this change, so you cannot approve it (separation of duties).'
        : keyids.length === 0
          ? 'Register your approval key first.'
          : null;
  return {
    proposal: proposalOut(row),
    statement: s.policies.statementFields(row) as TStatementFields,
    quorum: {
      state: quorum.state,
      detail: quorum.detail,
      rule: describeQuorum(s.policies.approvalPolicyOf(row)),
      decisions: quorum.counted.map((c) => ({ username: c.person.username, decision: c.statement.decision, reason: c.statement.reason, time: c.statement.time })),
    },
    you: { mayDecide: why === null, why, keyids },
  };
}
export type TProposalView = ReturnType<typeof proposalView>;

export const policiesRouter = createTRPCRouter({
  active: guarded('policies.active')
    .output(ZActivePolicySchema)
    .query(({ ctx }) => {
      const { policy, sha256, path } = ctx.services.policy;
      return { name: policy.name, revision: policy.revision, sha256, path, policy, notice: ctx.services.policyNotice };
    }),

  history: guarded('policies.history')
    .output(z.object({ revisions: z.array(ZRevisionSchema), proposals: z.array(ZProposalSchema) }))
    .query(({ ctx }) => ({ revisions: ctx.services.policies.history().map(revisionOut), proposals: ctx.services.policies.proposals().map(proposalOut) })),

  proposal: guarded('policies.proposal')
    .input(z.object({ id: z.string().uuid() }))
    .query(({ ctx, input }) => {
      const row = ctx.services.policies.proposal(input.id);
      if (!row) unwrap({ ok: false, code: 'PROPOSAL_NOT_FOUND' as const, message: `no policy proposal ${input.id}` }, { PROPOSAL_NOT_FOUND: 'NOT_FOUND' });
      return proposalView(ctx.services, row!, ctx.user);
    }),

  /** Validates an edited policy on the server and says how it would change the one in force; changes nothing. */
  check: guarded('policies.check')
    .input(z.object({ text: ZPolicyText }))
    .output(z.object({ kind: ZKindSchema, changes: z.array(ZChangeSchema) }))
    .mutation(({ ctx, input }) => {
      const r = unwrap(ctx.services.policies.check(input.text), { POLICY_NOT_JSON: 'BAD_REQUEST', POLICY_INVALID: 'BAD_REQUEST' });
      return { kind: r.classification.kind, changes: [...r.classification.changes] };
    }),

  propose: guarded('policies.propose')
    .input(z.object({ text: ZPolicyText, reason: ZReason }))
    .output(ZOutcomeSchema)
    .mutation(({ ctx, input }) => {
      const r = unwrap(ctx.services.policies.propose(input.text, { id: ctx.user.id, username: ctx.user.username }, input.reason), PROPOSE_STATUS);
      return outcomeOut(r, r.classification.kind);
    }),

  restore: guarded('policies.restore')
    .input(z.object({ revision: z.number().int().positive(), reason: ZReason }))
    .output(ZOutcomeSchema)
    .mutation(({ ctx, input }) => {
      const r = unwrap(ctx.services.policies.restore(input.revision, { id: ctx.user.id, username: ctx.user.username }, input.reason), PROPOSE_STATUS);
      return outcomeOut(r, r.classification.kind);
    }),

  decide: guarded('policies.decide')
    .input(z.object({ id: z.string().uuid(), signed: ZSignedApprovalSchema }))
    .output(z.object({ state: z.string(), detail: z.string(), revision: z.number().int().nullable() }))
    .mutation(({ ctx, input }) => {
      const r = unwrap(ctx.services.policies.decide(input.id, input.signed, { id: ctx.user.id, username: ctx.user.username }), DECIDE_STATUS);
      return { state: r.state, detail: r.quorum.detail, revision: r.applied?.revision ?? null };
    }),
});
