/**
 * The on-call page's API: what is in quarantine and why; quarantine a module version (operators,
 * approvers, admins) and release one with a reason (approvers, admins). Both changes go through
 * QuarantineService, which writes the audit event in the same transaction.
 */
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { err, ok, type Result } from '../../core/result';
import type { Services } from '../../services/index';
import type { QuarantineRow } from '../../services/quarantine';
import { actorForUser } from '../../services/users';
import { unwrap } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';
import { whyDenied, ZRunWhySchema, type TRunWhy } from './run-why';

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
});
export type TQuarantineEntry = z.infer<typeof ZQuarantineEntrySchema>;

export const ZQuarantineAddSchema = z.union([
  z.strictObject({ moduleName: z.string().min(1).max(128), version: z.string().min(1).max(64), reason: ZReasonSchema }),
  z.strictObject({ wasmSha256: ZDigestSchema, reason: ZReasonSchema }),
]);
export type TQuarantineAdd = z.infer<typeof ZQuarantineAddSchema>;

export const ZQuarantineReleaseSchema = z.object({ wasmSha256: ZDigestSchema, reason: ZReasonSchema });

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

  release: guarded('quarantine.release')
    .input(ZQuarantineReleaseSchema)
    .output(z.object({ wasmSha256: z.string(), moduleName: z.string(), releasedAt: z.string(), releasedBy: z.string(), releaseReason: z.string() }))
    .mutation(({ ctx, input }) => {
      const row = unwrap(ctx.services.quarantine.release(input.wasmSha256, input.reason, actorForUser(ctx.user.username)), {
        NOT_QUARANTINED: 'NOT_FOUND',
        REASON_REQUIRED: 'BAD_REQUEST',
      });
      if (!row.releasedAt || !row.releasedBy || !row.releaseReason) {
        throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'release was not recorded' });
      }
      return {
        wasmSha256: row.wasmSha256,
        moduleName: row.moduleName,
        releasedAt: row.releasedAt.toISOString(),
        releasedBy: row.releasedBy,
        releaseReason: row.releaseReason,
      };
    }),
});
