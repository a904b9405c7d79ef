/**
 * Runs as the console sees them: plain JSON (dates as ISO strings), output decoded as text for
 * display and cut to a size a browser can render. The bytes stay authoritative in the database;
 * the counts and digests say what was cut.
 */
import { z } from 'zod';
import type { DecisionRecord } from '../../core/guardian/decision-record';
import type { RunRow, RunSummary } from '../../services/runs';
import type { QuarantineRow } from '../../services/quarantine';

/** Enough to read a failing run on screen; the full output is in the database and its digest in the record. */
export const DISPLAY_OUTPUT_BYTES = 64 * 1024;

export const ZRunSummarySchema = z.object({
  id: z.string(),
  moduleVersionId: z.number().int(),
  moduleName: z.string(),
  moduleVersion: z.string(),
  tenant: z.string(),
  wasmSha256: z.string(),
  actor: z.string(),
  startedAt: z.string(),
  decision: z.enum(['allow', 'deny']),
  outcome: z.string(),
  exitCode: z.number().int().nullable(),
  threatScore: z.number().int(),
  fuelUsed: z.number(),
  wallMs: z.number(),
  policyName: z.string(),
  policyRevision: z.number().int(),
  seed: z.string(),
  outputSha256: z.string(),
  auditSeq: z.number().int(),
});
export type TRunSummary = z.infer<typeof ZRunSummarySchema>;

export const ZOutputTextSchema = z.object({
  text: z.string(),
  bytes: z.number().int(),
  /** True when `text` shows only the first DISPLAY_OUTPUT_BYTES. */
  truncated: z.boolean(),
});
export type TOutputText = z.infer<typeof ZOutputTextSchema>;

export const ZQuarantineNoteSchema = z.object({
  reason: z.string(),
  source: z.string(),
  since: z.string(),
  by: z.string(),
  runId: z.string().nullable(),
});
export type TQuarantineNote = z.infer<typeof ZQuarantineNoteSchema>;

/** The decision record is produced by the core and stored whole; it is passed through unchanged. */
export const ZDecisionRecordSchema = z.custom<DecisionRecord>((v) => typeof v === 'object' && v !== null && 'runId' in v);

export function runSummaryToWire(r: RunSummary): TRunSummary {
  return {
    id: r.id,
    moduleVersionId: r.moduleVersionId,
    moduleName: r.moduleName,
    moduleVersion: r.moduleVersion,
    tenant: r.tenant,
    wasmSha256: r.wasmSha256,
    actor: r.actor,
    startedAt: r.startedAt.toISOString(),
    decision: r.decision,
    outcome: r.outcome,
    exitCode: r.exitCode,
    threatScore: r.threatScore,
    fuelUsed: r.fuelUsed,
    wallMs: r.wallMs,
    policyName: r.policyName,
    policyRevision: r.policyRevision,
    seed: r.seed,
    outputSha256: r.outputSha256,
    auditSeq: r.auditSeq,
  };
}

/**
 * Output bytes as text for display. Invalid UTF-8 becomes U+FFFD (it is shown, never executed);
 * a cut in the middle of a multi-byte character shows as one replacement character at the end.
 */
export function outputText(bytes: Uint8Array, cap = DISPLAY_OUTPUT_BYTES): TOutputText {
  const truncated = bytes.length > cap;
  const shown = truncated ? bytes.subarray(0, cap) : bytes;
  return { text: new TextDecoder('utf-8').decode(shown), bytes: bytes.length, truncated };
}

export function quarantineNote(row: QuarantineRow | undefined): TQuarantineNote | null {
  if (!row) return null;
  return { reason: row.reason, source: row.source, since: row.since.toISOString(), by: row.by, runId: row.runId };
}

export const ZRunDetailSchema = ZRunSummarySchema.extend({
  record: ZDecisionRecordSchema,
  stdout: ZOutputTextSchema,
  stderr: ZOutputTextSchema,
  stdinBytes: z.number().int(),
  /** The module's digest as it stands in quarantine now (null when not quarantined). */
  quarantine: ZQuarantineNoteSchema.nullable(),
});
export type TRunDetail = z.infer<typeof ZRunDetailSchema>;

export function runDetailToWire(row: RunRow & { record: DecisionRecord }, quarantine: QuarantineRow | undefined): TRunDetail {
  return {
    ...runSummaryToWire(row),
    record: row.record,
    stdout: outputText(new Uint8Array(row.stdout)),
    stderr: outputText(new Uint8Array(row.stderr)),
    stdinBytes: row.stdin.length,
    quarantine: quarantineNote(quarantine),
  };
}
