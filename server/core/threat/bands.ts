import { z } from 'zod';

/**
 * The ONE definition of the threat bands. The policy file, the pre-exec rule, the quarantine
 * decision and the console all read a band through `bandFor`, so they can never disagree.
 */
export const BANDS = ['low', 'medium', 'high', 'quarantine'] as const;
export type Band = (typeof BANDS)[number];

const threshold = z.number().int().min(0).max(100);

/** Each value is the lowest score that lands in that band. */
export const ZBandsSchema = z
  .strictObject({
    low: z.literal(0).default(0),
    medium: threshold.default(30),
    high: threshold.default(60),
    quarantine: threshold.default(85),
  })
  .superRefine((b, ctx) => {
    // Bands must climb strictly, or a score could sit in two bands at once.
    if (!(b.low < b.medium)) ctx.addIssue({ code: 'custom', path: ['medium'], message: 'must be greater than low (0)' });
    if (!(b.medium < b.high)) ctx.addIssue({ code: 'custom', path: ['high'], message: 'must be greater than medium' });
    if (!(b.high < b.quarantine)) ctx.addIssue({ code: 'custom', path: ['quarantine'], message: 'must be greater than high' });
  });
export type TBands = z.infer<typeof ZBandsSchema>;

/**
 * Band for a score: the highest band whose threshold the score reaches (thresholds are inclusive).
 * A score that is not a finite number fails closed into `quarantine`, because an unknown risk is
 * not a low risk.
 */
export function bandFor(score: number, bands: TBands): Band {
  if (!Number.isFinite(score)) return 'quarantine';
  if (score >= bands.quarantine) return 'quarantine';
  if (score >= bands.high) return 'high';
  if (score >= bands.medium) return 'medium';
  return 'low';
}
