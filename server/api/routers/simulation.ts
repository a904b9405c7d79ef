/**
 * Policy simulation for the console (PRO: policy_simulation, refused on the server): a candidate
 * policy, as JSON text, judged against the recorded runs of a window. Reading, not changing:
 * anyone who may read policies (and so runs) may simulate. The policy engineer's proposals attach
 * the same report (components/policies/simulation-report.tsx).
 */
import { z } from 'zod';
import { parsePolicyText } from '../../core/guardian/schema';
import { MAX_SIMULATION_RUNS, recommendFromHistory, simulateOverHistory } from '../../services/simulation';
import { ZPolicySchema } from '../../core/guardian/schema';
import type { SimulationReport } from '../../core/guardian/simulate';
import { requireFeature } from '../license-gate';
import { unwrap } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';

const count = z.number().int();
export const ZSimulationReportSchema = z.object({
  policy: z.object({ name: z.string(), revision: count }),
  runs: count,
  range: z.object({ from: z.string(), to: z.string() }).nullable(),
  counts: z.object({ allowToDeny: count, denyToAllow: count, unchanged: count, unknown: count, bandChanges: count, approximateTimeouts: count }),
  rules: z.array(z.object({ id: z.string(), newlyFailing: count, noLongerFailing: count })),
  modules: z.array(z.object({ name: z.string(), runs: count, allowToDeny: count, denyToAllow: count, unknown: count, bandChanges: count })),
  notRecorded: z.array(z.object({ fact: z.string(), runs: count })),
  changes: z.array(
    z.object({
      runId: z.string(),
      module: z.string(),
      startedAt: z.string(),
      from: z.enum(['allow', 'deny']),
      to: z.enum(['allow', 'deny', 'unknown']),
      bandFrom: z.string(),
      bandTo: z.string(),
      rules: z.array(z.string()),
      unknownBecause: z.string().optional(),
    }),
  ),
});
export type TSimulationReport = z.infer<typeof ZSimulationReportSchema>;

export const ZSimulateInputSchema = z.object({
  /** The candidate policy file's text. */
  policy: z.string().min(2).max(256 * 1024),
  last: z.number().int().min(1).max(MAX_SIMULATION_RUNS).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
});

export const ZRecommendationSchema = z.object({
  id: z.string(),
  field: z.string(),
  title: z.string(),
  explanation: z.string(),
  from: z.unknown(),
  to: z.unknown(),
  evidence: z.record(z.string(), z.number()),
  /** The candidate policy text to submit as a proposal (nothing is applied). */
  candidate: ZPolicySchema,
  simulation: ZSimulationReportSchema,
});
export type TRecommendation = z.infer<typeof ZRecommendationSchema>;

const wire = (report: SimulationReport): TSimulationReport => ({
  ...report,
  rules: [...report.rules],
  modules: [...report.modules],
  notRecorded: [...report.notRecorded],
  changes: report.changes.map((c) => ({ ...c, rules: [...c.rules] })),
});

// A stored record that does not read is the data's problem, not the request's: named, never a 500.
const STATUS = { LICENSE_REQUIRED: 'FORBIDDEN', WINDOW_INVALID: 'BAD_REQUEST', RECORD_INVALID: 'CONFLICT' } as const;

export const simulationRouter = createTRPCRouter({
  run: guarded('simulation.run')
    .input(ZSimulateInputSchema)
    .output(ZSimulationReportSchema)
    .mutation(({ ctx, input }) => {
      requireFeature(ctx.services, 'policy_simulation');
      const candidate = unwrap(parsePolicyText(input.policy), { POLICY_INVALID: 'BAD_REQUEST', POLICY_NOT_JSON: 'BAD_REQUEST' });
      const window = { ...(input.last !== undefined ? { last: input.last } : {}), ...(input.since ? { since: new Date(input.since) } : {}) };
      return wire(unwrap(simulateOverHistory(ctx.services, candidate, window), STATUS));
    }),

  recommend: guarded('simulation.recommend')
    .input(z.object({ last: z.number().int().min(1).max(MAX_SIMULATION_RUNS).optional() }).optional())
    .output(z.array(ZRecommendationSchema))
    .query(({ ctx, input }) => {
      requireFeature(ctx.services, 'policy_recommendations');
      const recs = unwrap(recommendFromHistory(ctx.services, input?.last !== undefined ? { last: input.last } : {}), STATUS);
      return recs.map((r) => ({ ...r, evidence: { ...r.evidence }, simulation: wire(r.simulation) }));
    }),
});
