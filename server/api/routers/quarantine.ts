/**
 * The on-call page's API: what is in quarantine and why; quarantine a module version (operators,
 * approvers, admins); sign a release (approvers, admins): an entry is released only when the
 * approval policy's quorum of signed release statements is met (QuarantineReleases), and the page
 * shows the approvals collected, what is still needed, and the history of releases.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../../core/result';
import type { Services } from '../../services/index';
import type { QuarantineRow } from '../../services/quarantine';
import type { ReleaseCode } from '../../services/quarantine-release';
import { APPROVAL_FORMAT, ZSignedApprovalSchema } from '../../core/inbox';
import type { DomainStatus } from '../errors';
import { actorForUser } from '../../services/users';
import { unwrap } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';
import { whyDenied, ZRunWhySchema, type TRunWhy } from './run-why';
import { REFUSAL_STATUS } from '../refusal-status';

export const ZDigestSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a wasm digest is 64 lower-case hex characters');
export const ZReasonSchema = z.string().trim().min(1, 'give a reason').max(500);

export const ZQuarantineEntrySchema = z.object({
  id: z.number().int(),
  moduleName: z.string(),
  /** Versions whose bytes have this digest (usually one). */
  versions: z.array(z.string()),
  wasmSha256: z.string(),
  reason: z.string(),
  source: z.enum(['post_exec', 'threat', 'manual']),
  since: z.string(),
  by: z.string(),
  runId: z.string().nullable(),
  /** Which rule and which outcome of the triggering run put it here; null for a manual quarantine. */
  cause: ZRunWhySchema.nullable(),
  /** What a release statement for this entry binds, and the signed releases collected so far. */
  release: z.object({
    statement: z.object({
      format: z.literal(APPROVAL_FORMAT),
      subject: z.string(),
      wasmSha256: z.string(),
      manifestSha256: z.string(),
      policy: z.object({ name: z.string(), revision: z.number().int() }),
    }),
    detail: z.string(),
    rule: z.string(),
    counted: z.array(z.object({ username: z.string(), keyid: z.string(), time: z.string(), reason: z.string() })),
  }),
});
export type TQuarantineEntry = z.infer<typeof ZQuarantineEntrySchema>;

export const ZQuarantineAddSchema = z.union([
  z.strictObject({ moduleName: z.string().min(1).max(128), version: z.string().min(1).max(64), reason: ZReasonSchema }),
  z.strictObject({ wasmSha256: ZDigestSchema, reason: ZReasonSchema }),
]);
export type TQuarantineAdd = z.infer<typeof ZQuarantineAddSchema>;

export const ZQuarantineReleaseSchema = z.object({ id: z.number().int().positive(), signed: ZSignedApprovalSchema });

/** A released entry: why it was quarantined, who signed its release, when and why. */
export const ZReleaseHistorySchema = z.object({
  id: z.number().int(),
  moduleName: z.string(),
  wasmSha256: z.string(),
  reason: z.string(),
  since: z.string(),
  releasedAt: z.string(),
  releasedBy: z.string(),
  releaseReason: z.string(),
  approvals: z.array(z.object({ username: z.string(), keyid: z.string(), time: z.string(), reason: z.string() })),
});
export type TReleaseHistory = z.infer<typeof ZReleaseHistorySchema>;

/** Closed: a new refusal code is a compile error here until someone decides its status. */
const RELEASE_STATUS: { readonly [K in ReleaseCode]: DomainStatus } = {
  ...REFUSAL_STATUS,
  QUARANTINE_NOT_FOUND: 'NOT_FOUND',
  NOT_QUARANTINED: 'CONFLICT',
  DUPLICATE: 'CONFLICT',
  KEY_NOT_YOURS: 'BAD_REQUEST',
  LICENSE_REQUIRED: 'FORBIDDEN',
};

function versionsOf(services: Services, wasmSha256: string): string[] {
  return services.modules.versionsWithDigest(wasmSha256).map((r) => r.version);
}

function causeOf(services: Services, runId: string | null): TRunWhy | null {
  if (runId === null) return null;
  const run = services.runs.get(runId);
  return run ? whyDenied(run.record) : null;
}

function toWire(services: Services, row: QuarantineRow): TQuarantineEntry {
  return {
    id: row.id,
    moduleName: row.moduleName,
    versions: versionsOf(services, row.wasmSha256),
    wasmSha256: row.wasmSha256,
    reason: row.reason,
    source: row.source,
    since: row.since.toISOString(),
    by: row.by,
    runId: row.runId,
    cause: causeOf(services, row.runId),
    release: releaseOf(services, row),
  };
}

function releaseOf(services: Services, row: QuarantineRow): TQuarantineEntry['release'] {
  const status = services.releases.status(row);
  return { statement: { format: APPROVAL_FORMAT, ...services.releases.target(row) }, detail: status.detail, rule: status.rule, counted: [...status.counted] };
}

function historyOf(services: Services, row: QuarantineRow): TReleaseHistory {
  return {
    id: row.id,
    moduleName: row.moduleName,
    wasmSha256: row.wasmSha256,
    reason: row.reason,
    since: row.since.toISOString(),
    releasedAt: row.releasedAt?.toISOString() ?? '',
    releasedBy: row.releasedBy ?? '',
    releaseReason: row.releaseReason ?? '',
    approvals: services.releases.recorded(row.id),
  };
}

/** Only modules Night Core knows can be quarantined: a typo must not look like a success. */
function resolveTarget(services: Services, input: TQuarantineAdd): Result<{ moduleName: string; wasmSha256: string }, 'MODULE_NOT_FOUND'> {
  if ('wasmSha256' in input) {
    const [row] = services.modules.versionsWithDigest(input.wasmSha256);
    return row ? ok({ moduleName: row.name, wasmSha256: input.wasmSha256 }) : err('MODULE_NOT_FOUND', `no module version has digest ${input.wasmSha256}`);
  }
  const found = services.modules.find(input.moduleName, input.version);
  return found
    ? ok({ moduleName: found.name, wasmSha256: found.wasmSha256 })
    : err('MODULE_NOT_FOUND', `no module ${input.moduleName}@${input.version}`);
}

export const quarantineRouter = createTRPCRouter({
  list: guarded('quarantine.list')
    .output(z.array(ZQuarantineEntrySchema))
    .query(({ ctx }) => ctx.services.quarantine.listActive().map((row) => toWire(ctx.services, row))),

  add: guarded('quarantine.add')
    .input(ZQuarantineAddSchema)
    .output(z.object({ entry: ZQuarantineEntrySchema, alreadyQuarantined: z.boolean() }))
    .mutation(({ ctx, input }) => {
      const target = unwrap(resolveTarget(ctx.services, input), { MODULE_NOT_FOUND: 'NOT_FOUND' });
      const existing = ctx.services.quarantine.active(target.wasmSha256);
      if (existing) return { entry: toWire(ctx.services, existing), alreadyQuarantined: true };
      const row = ctx.services.quarantine.add({ ...target, reason: input.reason, source: 'manual' }, actorForUser(ctx.user.username));
      return { entry: toWire(ctx.services, row), alreadyQuarantined: false };
    }),

  history: guarded('quarantine.history')
    .output(z.array(ZReleaseHistorySchema))
    .query(({ ctx }) => ctx.services.quarantine.released(50).map((row) => historyOf(ctx.services, row))),

  /** The viewer's registered approval keys (the browser checks the key it holds is one of them). */
  myKeys: guarded('quarantine.myKeys')
    .output(z.array(z.string()))
    .query(({ ctx }) => ctx.services.inbox.keysOf(ctx.user.id)),

  /** One signed release statement from the session's user; releases the entry when it completes the quorum. */
  release: guarded('quarantine.release')
    .input(ZQuarantineReleaseSchema)
    .output(z.object({ released: z.boolean(), detail: z.string() }))
    .mutation(({ ctx, input }) => {
      const r = unwrap(ctx.services.releases.sign(input.id, input.signed, { id: ctx.user.id, username: ctx.user.username }), RELEASE_STATUS);
      return { released: r.released, detail: r.quorum.detail };
    }),
});
