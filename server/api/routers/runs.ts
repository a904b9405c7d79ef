/** Runs: the recorded history (runs.read) and replay, which executes code again (runs.execute). */
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { OUTCOME_KINDS } from '../../core/sandbox/types';
import { actorForUser } from '../../services/users';
import { isUnreadable } from '../../services/runs';
import { unwrap } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';
import { runDetailToWire, runSummaryToWire, ZRunDetailSchema, ZRunSummarySchema } from './run-views';
import { whyDenied, ZRunWhySchema } from './run-why';

const ZIsoDateSchema = z.iso.datetime({ offset: true });
export const ZRunIdSchema = z.string().min(1).max(64);

export const ZRunCursorSchema = z.object({ startedAt: ZIsoDateSchema, id: ZRunIdSchema });
export type TRunCursor = z.infer<typeof ZRunCursorSchema>;

export const ZRunListInputSchema = z.object({
  /** A substring of the module name (as on the Modules page); % and _ are literal. */
  module: z.string().min(1).max(64).optional(),
  /** Only runs in which this Guardian rule failed (Watchtower's "Top denied rules" links here). */
  rule: z.string().regex(/^[a-z_]{1,64}$/, 'a rule id is lower-case letters and underscores').optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  // A closed list ('denied': nothing ran), so a typo is an error, not an empty page.
  outcome: z.enum(OUTCOME_KINDS).optional(),
  since: ZIsoDateSchema.optional(),
  until: ZIsoDateSchema.optional(),
  cursor: ZRunCursorSchema.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type TRunListInput = z.infer<typeof ZRunListInputSchema>;

/** A row of the Runs list: the summary and, for a denied run, the failing rule and outcome (the "why"). */
export const ZRunListItemSchema = ZRunSummarySchema.extend({
  why: ZRunWhySchema.nullable(),
  /** Set when the run's decision record could not be read: the row is shown, marked, not the page failed. */
  recordProblem: z.string().nullable(),
});
export type TRunListItem = z.infer<typeof ZRunListItemSchema>;
export const ZRunPageSchema = z.object({ items: z.array(ZRunListItemSchema), nextCursor: ZRunCursorSchema.nullable() });

export const ZReplayReportSchema = z.object({
  runId: z.string(),
  identical: z.boolean(),
  attestation: z.enum(['verified', 'none']),
  differences: z.array(z.object({ field: z.enum(['outcome', 'fuelUsed', 'outputSha256', 'filesystem', 'returnValues']), recorded: z.string(), replayed: z.string() })),
  recorded: z.object({ outcome: z.string(), fuelUsed: z.number(), outputSha256: z.string(), filesystem: z.string(), returnValues: z.string() }),
  replayed: z.object({ outcome: z.string(), fuelUsed: z.number(), outputSha256: z.string(), filesystem: z.string(), returnValues: z.string() }),
});

export const runsRouter = createTRPCRouter({
  list: guarded('runs.list')
    .input(ZRunListInputSchema.optional())
    .output(ZRunPageSchema)
    .query(({ ctx, input }) => {
      const f = ZRunListInputSchema.parse(input ?? {});
      const page = ctx.services.runs.page({
        moduleContains: f.module,
        failedRule: f.rule,
        decision: f.decision,
        outcome: f.outcome,
        since: f.since ? new Date(f.since) : undefined,
        until: f.until ? new Date(f.until) : undefined,
        cursor: f.cursor ? { startedAt: new Date(f.cursor.startedAt), id: f.cursor.id } : undefined,
        limit: f.limit,
      });
      const last = page.rows.at(-1);
      // Only denied rows need their record read, and of it only how it was decided.
      const verdicts = ctx.services.runs.verdicts(page.rows.filter((r) => r.decision === 'deny').map((r) => r.id));
      return {
        items: page.rows.map((r) => {
          const record = verdicts.get(r.id);
          if (isUnreadable(record)) return { ...runSummaryToWire(r), why: null, recordProblem: record.unreadable };
          return { ...runSummaryToWire(r), why: record ? whyDenied(record) : null, recordProblem: null };
        }),
        nextCursor: page.hasMore && last ? { startedAt: last.startedAt.toISOString(), id: last.id } : null,
      };
    }),

  get: guarded('runs.get')
    .input(z.object({ id: ZRunIdSchema }))
    .output(ZRunDetailSchema)
    .query(({ ctx, input }) => {
      const row = ctx.services.runs.get(input.id);
      if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `no run ${input.id}` });
      return runDetailToWire(row, ctx.services.quarantine.active(row.wasmSha256));
    }),

  replay: guarded('runs.replay')
    .input(z.object({ id: ZRunIdSchema }))
    .output(ZReplayReportSchema)
    .mutation(async ({ ctx, input }) => {
      const replayed = await ctx.services.governor.replay(input.id, actorForUser(ctx.user.username));
      const report = unwrap(replayed, {
        RUN_NOT_FOUND: 'NOT_FOUND',
        NOTHING_RAN: 'BAD_REQUEST',
        MODULE_UNTRUSTED: 'CONFLICT',
        MODULE_QUARANTINED: 'CONFLICT',
        BUSY: 'CONFLICT',
        RATE_LIMITED: 'TOO_MANY_REQUESTS',
        SHUT_DOWN: 'CONFLICT',
        INSTRUMENT_FAILED: 'BAD_REQUEST',
        INPUT_MISSING: 'CONFLICT',
        ATTESTATION_INVALID: 'CONFLICT',
        AUDIT_FAILED: 'CONFLICT',
      });
      return { ...report, differences: [...report.differences] };
    }),
});
