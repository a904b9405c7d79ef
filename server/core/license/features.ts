/**
 * The PRO features and the community seat count: pure data, also imported by console components
 * (no crypto here, so nothing of node:crypto reaches the browser bundle).
 */

/** The features a PRO license can carry. Closed: a gate names one of these. */
export const FEATURES = ['approval_quorum', 'policy_simulation', 'policy_recommendations', 'siem_export', 'compliance_reports'] as const;
export type Feature = (typeof FEATURES)[number];

/** What each feature is, in words a person sees in a refusal. */
export const FEATURE_TEXT: { readonly [F in Feature]: string } = {
  approval_quorum: 'an approval quorum above one person',
  policy_simulation: 'policy simulation',
  policy_recommendations: 'policy recommendations',
  siem_export: 'SIEM export',
  compliance_reports: 'compliance reports',
};

/** Enabled console users the community edition allows. A PRO license raises it to its seats (never lowers it). */
export const COMMUNITY_SEATS = 10;

export const isFeature = (name: string): name is Feature => (FEATURES as readonly string[]).includes(name);

/** A license file is a few hundred bytes; anything far larger is not one (and is not parsed). */
export const MAX_LICENSE_FILE_BYTES = 16 * 1024;
