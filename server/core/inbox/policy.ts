/**
 * The approval section of the Guardian policy: who may approve, how many, whether a reason is
 * required and how long submissions and approvals live. Validated with the rest of the policy, so
 * a quorum that names a group nobody defined stops the start instead of approving nothing (or
 * everything) at run time.
 */
import { z } from 'zod';
import { ROLES } from '../access/rbac';

/** Same shape as a console username (server/services/users.ts): anchored, lower-case. */
const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const GROUP_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const HOUR = 60 * 60 * 1000;

/** One requirement: `count` distinct people who hold `role`, or who are listed in `group`. */
export const ZQuorumRequirementSchema = z
  .strictObject({
    role: z.enum(ROLES).optional(),
    group: z.string().regex(GROUP_RE, 'must be a group name').optional(),
    count: z.number().int().min(1).max(20).default(1),
  })
  .refine((r) => (r.role === undefined) !== (r.group === undefined), 'name exactly one of role or group');
export type TQuorumRequirement = z.infer<typeof ZQuorumRequirementSchema>;

export const ZApprovalPolicySchema = z
  .strictObject({
    /** Named groups of usernames, e.g. { "managers": ["carol"] }. */
    groups: z.record(z.string().regex(GROUP_RE, 'must be a group name'), z.array(z.string().regex(USERNAME_RE, 'must be a username')).max(500)).default({}),
    /** Every requirement must be met (AND); each person fills at most one place in the whole quorum. */
    quorum: z.array(ZQuorumRequirementSchema).min(1).max(10).default([{ role: 'approver', count: 1 }]),
    reason_required: z.boolean().default(true),
    /** A pending submission nobody decided in this time becomes expired. */
    submission_ttl_hours: z.number().int().min(1).max(24 * 365).default(72),
    /** An approval counts for this long after it was signed; after that the module needs a new one. */
    approval_ttl_hours: z.number().int().min(1).max(24 * 365).default(24 * 30),
  })
  .superRefine((p, ctx) => {
    p.quorum.forEach((r, i) => {
      if (r.group !== undefined && !Object.hasOwn(p.groups, r.group)) {
        ctx.addIssue({ code: 'custom', path: ['quorum', i, 'group'], message: `names group "${r.group}", which is not defined in groups` });
      }
    });
  });
export type TApprovalPolicy = z.infer<typeof ZApprovalPolicySchema>;

export const submissionTtlMs = (p: TApprovalPolicy): number => p.submission_ttl_hours * HOUR;
export const approvalTtlMs = (p: TApprovalPolicy): number => p.approval_ttl_hours * HOUR;

/** "1 approver AND 1 from group managers", for pages and the decision record. */
export function describeQuorum(p: TApprovalPolicy): string {
  return p.quorum.map((r) => `${r.count} ${r.role !== undefined ? `with role ${r.role}` : `from group ${r.group}`}`).join(' AND ');
}

/** How many people the quorum needs in all; above one is a PRO feature (approval_quorum, docs/licensing.md). */
export function quorumPlaces(p: Pick<TApprovalPolicy, 'quorum'>): number {
  return p.quorum.reduce((n, r) => n + r.count, 0);
}
