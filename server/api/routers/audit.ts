/**
 * The audit trail for the console: keyset-paged listings (newest first) and the closed list of
 * actions for the filter. Verification and export stream large bodies, so they are route handlers
 * (app/api/audit/verify, app/api/audit/export) over server/services/audit-stream.ts.
 */
import { z } from 'zod';
import { AUDIT_ACTIONS, MAX_ACTOR_LENGTH, MAX_SUBJECT_LENGTH } from '../../core/audit/event';
import { MAX_PAGE_LIMIT, readingFloor } from '../../core/audit/query';
import { can } from '../../core/access/rbac';
import { TRPCError } from '@trpc/server';
import { unwrap } from '../errors';
import { proveInclusionInLatest, verifierKeyOf } from '../../services/audit-proofs';
import { createTRPCRouter, guarded } from '../trpc';

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ZAuditPageInputSchema = z
  .object({
    /** newer than this seq (the page is still returned newest first) */
    afterSeq: seq.optional(),
    /** older than this seq */
    beforeSeq: seq.optional(),
    limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
    // Checked against the closed list again by the service; bounded here.
    action: z.string().min(1).max(64).optional(),
    actor: z.string().min(1).max(MAX_ACTOR_LENGTH).optional(),
    subject: z.string().min(1).max(MAX_SUBJECT_LENGTH).optional(),
  })
  .refine((q) => q.afterSeq === undefined || q.beforeSeq === undefined, { message: 'give afterSeq or beforeSeq, not both' });
export type TAuditPageInput = z.infer<typeof ZAuditPageInputSchema>;

export const ZAuditEventSchema = z.object({
  seq: z.number().int(),
  time: z.string(),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  /** canonical JSON text, exactly as hashed; the page pretty-prints it as text */
  payload: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});
export type TAuditEvent = z.infer<typeof ZAuditEventSchema>;

export const ZAuditPageSchema = z.object({
  /** newest first */
  events: z.array(ZAuditEventSchema),
  /** matching events exist before the oldest event of this page */
  hasOlder: z.boolean(),
  /** matching events (may) exist after the newest event of this page */
  hasNewer: z.boolean(),
  /** the oldest seq this caller may read; 1 when the whole log is readable (roles with audit.export) */
  readableFromSeq: z.number().int(),
});
export type TAuditPage = z.infer<typeof ZAuditPageSchema>;

export const ZWitnessStatusSchema = z.object({
  /** the witness's key name */
  name: z.string(),
  url: z.string(),
  /** the newest checkpoint (tree size) it cosigned, null if none yet */
  cosignedSeq: z.number().int().nullable(),
  /** the witness's own timestamp of that cosignature (ISO 8601) */
  cosignedAt: z.string().nullable(),
  /** events written since the checkpoint it cosigned */
  lagEvents: z.number().int(),
  /** the last push failed: why (WITNESS_REFUSED means it saw a history this log no longer extends) */
  error: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
});
export type TWitnessStatus = z.infer<typeof ZWitnessStatusSchema>;

export const auditRouter = createTRPCRouter({
  page: guarded('audit.page')
    .input(ZAuditPageInputSchema.optional())
    .output(ZAuditPageSchema)
    .query(({ ctx, input = {} }) => {
      // Without audit.export only the newest events are readable (bulk reading is an export).
      const floorSeq = readingFloor(ctx.services.audit.head().seq, can(ctx.user.role, 'audit.export'));
      const page = unwrap(ctx.services.audit.page({ ...input, floorSeq }), { INVALID_QUERY: 'BAD_REQUEST' });
      // Paging forward (afterSeq) reads ascending so the LIMIT keeps the events nearest the cursor;
      // the console always shows newest first.
      const forward = input.afterSeq !== undefined;
      const events = forward ? [...page.events].reverse() : page.events;
      return {
        events: events.map((e) => ({ ...e })),
        // Across a cursor there is at least the cursor's own event, which matched the filter when
        // it was listed; without a cursor this is the newest page.
        hasOlder: forward ? input.afterSeq! > floorSeq : page.more,
        hasNewer: forward ? page.more : input.beforeSeq !== undefined,
        readableFromSeq: floorSeq + 1,
      };
    }),

  witnesses: guarded('audit.witnesses')
    .output(z.array(ZWitnessStatusSchema))
    .query(({ ctx }) => {
      const { witnesses, audit } = ctx.services;
      const head = audit.head().seq;
      return witnesses.witnesses.map((w) => {
        const newest = witnesses.newestCosigned(w.key.name);
        return {
          name: w.key.name,
          url: w.url,
          cosignedSeq: newest?.seq ?? null,
          cosignedAt: newest ? new Date(newest.signedAt * 1000).toISOString() : null,
          lagEvents: head - (newest?.seq ?? 0),
          error: witnesses.status(w.key.name) ?? null,
        };
      });
    }),

  /** An inclusion proof for the browser to check itself, with the log's verifier key to compare. */
  prove: guarded('audit.prove')
    .input(z.object({ seq: seq.min(1) }))
    .output(z.object({ bundle: z.unknown(), verifierKey: z.string() }))
    .query(({ ctx, input }) => {
      const { audit, serverKey } = ctx.services;
      const floorSeq = readingFloor(audit.head().seq, can(ctx.user.role, 'audit.export'));
      if (input.seq <= floorSeq) throw new TRPCError({ code: 'FORBIDDEN', message: 'events this old need the export permission (approvers and admins)' });
      const bundle = unwrap(proveInclusionInLatest(audit, input.seq), { EVENT_NOT_FOUND: 'NOT_FOUND', CHECKPOINT_NOT_FOUND: 'NOT_FOUND', INVALID_SIZE: 'BAD_REQUEST' });
      return { bundle, verifierKey: verifierKeyOf(audit, serverKey.publicKey) };
    }),

  actions: guarded('audit.actions')
    .output(z.array(z.string()))
    .query(() => [...AUDIT_ACTIONS]),
});
