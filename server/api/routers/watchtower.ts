/** The console home: one summary for a window and a live feed of the newest decisions. */
import { z } from 'zod';
import { watchtowerOf, WINDOWS, FEED_LIMIT } from '../../services/watchtower';
import { createTRPCRouter, guarded } from '../trpc';

export const ZWindowSchema = z.enum(WINDOWS);
export type TWindow = z.infer<typeof ZWindowSchema>;

const count = z.number().int().min(0);
export const ZWatchtowerSummarySchema = z.object({
  window: ZWindowSchema,
  from: z.string(),
  to: z.string(),
  bucket: z.enum(['hour', 'day']),
  runs: z.object({ total: count, allowed: count, denied: count, allowRate: z.number().nullable(), perHour: z.number() }),
  quarantinedActive: count,
  pendingInbox: count,
  inboxAvailable: z.boolean(),
  threat: z.object({
    average: z.number().nullable(),
    histogram: z.array(z.object({ from: count, to: count, count })),
  }),
  series: z.array(z.object({ start: z.string(), allowed: count, denied: count })),
  topDeniedRules: z.array(z.object({ rule: z.string(), phase: z.enum(['pre', 'post']), count })),
  riskyModules: z.array(z.object({ name: z.string(), maxScore: count, runs: count })),
  audit: z.object({
    headSeq: count,
    headHash: z.string(),
    checkpoint: z.object({ seq: count, time: z.string() }).nullable(),
    lastVerification: z
      .object({ seq: count, time: z.string(), actor: z.string(), ok: z.boolean().nullable(), events: z.number().nullable(), code: z.string().nullable() })
      .nullable(),
  }),
});
export type TWatchtowerSummary = z.infer<typeof ZWatchtowerSummarySchema>;

export const ZFeedInputSchema = z
  .object({
    /** The newest item the client already has (ISO time and run id); omit for the newest items. */
    afterStartedAt: z.iso.datetime().optional(),
    afterId: z.string().min(1).max(64).optional(),
  })
  .refine((c) => c.afterId === undefined || c.afterStartedAt !== undefined, { message: 'afterId needs afterStartedAt' });

export const ZFeedItemSchema = z.object({
  id: z.string(),
  moduleName: z.string(),
  moduleVersion: z.string(),
  startedAt: z.string(),
  decision: z.enum(['allow', 'deny']),
  outcome: z.string(),
  threatScore: count,
});
export type TFeedItem = z.infer<typeof ZFeedItemSchema>;

export const watchtowerRouter = createTRPCRouter({
  summary: guarded('watchtower.summary')
    .input(z.object({ window: ZWindowSchema }))
    .output(ZWatchtowerSummarySchema)
    .query(({ ctx, input }) => watchtowerOf(ctx.services).summary(input)),

  feed: guarded('watchtower.feed')
    .input(ZFeedInputSchema.optional())
    .output(z.array(ZFeedItemSchema).max(FEED_LIMIT))
    .query(({ ctx, input = {} }) =>
      watchtowerOf(ctx.services).feed({
        ...(input.afterStartedAt !== undefined ? { afterStartedAt: new Date(input.afterStartedAt) } : {}),
        ...(input.afterId !== undefined ? { afterId: input.afterId } : {}),
      }),
    ),
});
