/**
 * Outbound delivery for admins (delivery.manage): the status of every destination (webhooks and
 * SIEM sinks), each one's delivery log, and webhook management from the console. SIEM sinks are
 * created with `nightcore sinks add` (docs/operations.md). Secrets never leave here except the
 * new webhook's, once, in the answer to its creation.
 */
import { z } from 'zod';
import { WEBHOOK_CATEGORY_NAMES, type WebhookCategory } from '../../core/delivery/event-filter';
import { DESTINATION_KINDS } from '../../core/delivery/types';
import { actorForUser } from '../../services/users';
import { unwrap } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';

export const ZWebhookCategorySchema = z.enum(WEBHOOK_CATEGORY_NAMES as [WebhookCategory, ...WebhookCategory[]]);

export const ZDestinationStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(DESTINATION_KINDS),
  target: z.string(),
  state: z.enum(['disabled', 'unlicensed', 'failing', 'behind', 'caught_up']),
  enabled: z.boolean(),
  cursor: z.number(),
  headSeq: z.number(),
  lagEvents: z.number(),
  lagSeconds: z.number(),
  failures: z.number(),
  nextAttemptAt: z.number().nullable(),
  lastSuccessAt: z.number().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.number().nullable(),
  events: z.array(z.string()).nullable(),
});
export type TDestinationStatus = z.infer<typeof ZDestinationStatusSchema>;

export const ZAttemptSchema = z.object({
  id: z.number(),
  firstSeq: z.number(),
  lastSeq: z.number(),
  events: z.number(),
  attempt: z.number(),
  ok: z.boolean(),
  httpStatus: z.number().nullable(),
  error: z.string().nullable(),
  latencyMs: z.number(),
  at: z.number(),
});
export type TAttempt = z.infer<typeof ZAttemptSchema>;

export const ZCreateWebhookSchema = z.object({
  name: z.string().min(1).max(64),
  url: z.string().min(1).max(2048),
  events: z.array(ZWebhookCategorySchema).min(1).max(WEBHOOK_CATEGORY_NAMES.length),
  fromStart: z.boolean().default(false),
});

const ZRefSchema = z.object({ name: z.string().min(1).max(64) });

/** A missing licensed feature is FORBIDDEN (domain code LICENSE_REQUIRED) naming the feature, never a 500. */
const STATUS = { INVALID_DESTINATION: 'BAD_REQUEST', NAME_TAKEN: 'CONFLICT', NOT_FOUND: 'NOT_FOUND', LICENSE_REQUIRED: 'FORBIDDEN' } as const;

export const deliveryRouter = createTRPCRouter({
  status: guarded('delivery.status')
    .output(z.array(ZDestinationStatusSchema))
    .query(({ ctx }) => ctx.services.delivery.status().map((s) => ({ ...s, events: s.events ? [...s.events] : null }))),

  attempts: guarded('delivery.attempts')
    .input(ZRefSchema.extend({ limit: z.number().int().min(1).max(500).default(50), before: z.number().int().positive().optional() }))
    .output(z.array(ZAttemptSchema))
    .query(({ ctx, input }) => unwrap(ctx.services.delivery.attempts(input.name, input.limit, input.before), { NOT_FOUND: 'NOT_FOUND' })),

  createWebhook: guarded('delivery.createWebhook')
    .input(ZCreateWebhookSchema)
    .output(z.object({ destination: ZDestinationStatusSchema.pick({ id: true, name: true, kind: true, target: true }), secret: z.string() }))
    .mutation(({ ctx, input }) => {
      const created = ctx.services.delivery.create(
        { name: input.name, kind: 'webhook', config: { url: input.url, events: input.events }, fromStart: input.fromStart },
        actorForUser(ctx.user.username),
      );
      const value = unwrap(created, STATUS);
      const d = value.destination;
      return { destination: { id: d.id, name: d.name, kind: d.kind, target: d.target }, secret: value.secret! };
    }),

  setEnabled: guarded('delivery.setEnabled')
    .input(ZRefSchema.extend({ enabled: z.boolean() }))
    .output(z.object({ name: z.string(), enabled: z.boolean() }))
    .mutation(({ ctx, input }) => {
      const changed = ctx.services.delivery.setEnabled(input.name, input.enabled, actorForUser(ctx.user.username));
      const d = unwrap(changed, STATUS);
      return { name: d.name, enabled: d.enabled };
    }),
});
