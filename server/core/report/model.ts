/**
 * A compliance report as data (format `nightcore.compliance-report/v1`): the period's figures, the
 * chain's status and the proof material an auditor can check without trusting this server.
 * Rendering (html.ts) and signing (signature.ts) work on it; the services fill it from the log.
 */
import type { ReportPeriod } from './period';
import type { ReportFacts } from './tally';

export const REPORT_FORMAT = 'nightcore.compliance-report/v1';

export type ChainStatus =
  | { readonly ok: true; readonly events: number; readonly checkpoints: number; readonly headSeq: number; readonly uncheckpointed: number }
  | { readonly ok: false; readonly code: string; readonly seq: number; readonly message: string };

export interface CheckpointRow {
  readonly seq: number;
  readonly time: string;
  readonly keyid: string;
  /** hex Merkle tree head; null for checkpoints older than the tree */
  readonly root: string | null;
}

export interface ProofMaterial {
  /** the newest signed tree head before the period (C2SP checkpoint text), or null when the log started inside it */
  readonly before: { readonly size: number; readonly note: string } | null;
  /** the newest signed tree head inside the period */
  readonly end: { readonly size: number; readonly note: string } | null;
  /** RFC 9162 consistency proof from `before` to `end` (base64 hashes); null when either is missing */
  readonly consistency: readonly string[] | null;
  /** witnesses that cosigned `end` */
  readonly cosignatures: readonly { readonly witness: string; readonly signedAt: number }[];
}

export interface ComplianceReport {
  readonly format: typeof REPORT_FORMAT;
  readonly period: ReportPeriod;
  readonly generatedAt: string;
  readonly generatedBy: string;
  readonly log: { readonly origin: string; readonly serverKeyid: string; readonly verifierKey: string };
  /** the whole chain re-hashed and every checkpoint signature checked when the report was made */
  readonly chain: ChainStatus;
  /** signed checkpoints written during the period (at most MAX_LISTED listed; `total` is exact) */
  readonly checkpoints: { readonly total: number; readonly rows: readonly CheckpointRow[] };
  readonly proof: ProofMaterial;
  readonly facts: ReportFacts;
}
