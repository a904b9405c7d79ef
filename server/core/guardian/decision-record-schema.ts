/**
 * The decision record as READ: one zod schema that accepts every shape `nightcore.decision/v1` has
 * been written in (docs/decision-record.md, "Versions"), and that every reader goes through
 * (parseDecisionRecord). The format grew only by additions, so the fields later writers added are
 * optional here, and "absent" keeps its meaning ("not recorded by the release that wrote it"): it is
 * never filled with a default that would claim something the record does not say.
 *
 * Readers parse; they never re-serialise. The audit hash covers the payload text as written, so a
 * record is verified as written whatever this schema makes of it.
 *
 * Objects are not strict: a field a later v1 writer adds is ignored by this reader, as earlier
 * readers ignored the fields this one knows. The published JSON Schema is generated from this
 * (docs/formats/decision-record.v1.schema.json).
 */
import { z } from 'zod';
import { err, ok, type Result } from '../result';
import { CAPABILITIES, describeIssues } from '../module/manifest';
import { OUTCOME_KINDS } from '../sandbox/types';
import { BACKEND_KINDS } from '../sandbox/backend';
import { BANDS } from '../threat/bands';
import { SIGNAL_IDS } from '../threat/config';
import { SEVERITIES } from './schema';
import { PRE_RULE_IDS } from './pre';
import { POST_RULE_IDS } from './post';
import { SANDBOX_RULE_ID } from './verdict';

export const DECISION_FORMAT = 'nightcore.decision/v1';

const HEX64 = /^[0-9a-f]{64}$/;
/** ISO 8601 UTC with milliseconds, as Date.prototype.toISOString writes it. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const U64_DECIMAL = /^(0|[1-9][0-9]{0,19})$/;

const sha256 = z.string().regex(HEX64, 'must be 64 lower-case hex digits');
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const instant = z.string().regex(ISO_MS, 'must be ISO 8601 UTC with milliseconds').refine((t) => new Date(t).toISOString() === t, 'must be a real instant');
const decision = z.enum(['allow', 'deny']);
const valueType = z.enum(['i32', 'i64', 'f32', 'f64']);
const recordedValue = z.object({ type: valueType, value: z.string().max(64) });

/** Limits as granted; `tableElements` was added later (absent: the default table cap applied). */
const limits = z.object({ fuel: count, memoryPages: count, wallMs: count, outputBytes: count, tableElements: count.optional() });
const effectiveLimits = z.object({ fuel: count, memoryPages: count, wallMs: count, outputBytes: count, tableElements: count });

/**
 * Rules and threat signals were only ever added, never renamed or removed, so today's lists name
 * every one a published record holds (a later release that removes one must keep it readable here).
 */
const RULE_IDS = [...PRE_RULE_IDS, ...POST_RULE_IDS, SANDBOX_RULE_ID] as const;

const ruleResult = z.object({
  id: z.enum(RULE_IDS),
  outcome: z.enum(['pass', 'fail', 'skip', 'would_fail']),
  severity: z.enum(SEVERITIES),
  explanation: z.string(),
  dryRun: z.literal(true).optional(),
});

const verdict = z.object({
  phase: z.enum(['pre', 'post']),
  decision,
  policy: z.object({ name: z.string().min(1), revision: z.number().int().min(0) }),
  summary: z.string(),
  rules: z.array(ruleResult),
  /** Since fb2bc39: present when a rule ran in dry-run. */
  dryRun: z.object({ policy: z.boolean(), rules: z.array(z.string()), wouldFail: z.array(z.string()), wouldDecision: decision }).optional(),
});

const outcome = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ok'), exitCode: z.number().int() }),
  z.object({ kind: z.literal('trap'), trap: z.string(), message: z.string().optional() }),
  z.object({ kind: z.literal('out_of_fuel') }),
  z.object({ kind: z.literal('timeout') }),
  z.object({ kind: z.literal('memory_limit') }),
  z.object({ kind: z.literal('crashed'), message: z.string() }),
  z.object({ kind: z.literal('denied'), reason: z.string() }),
]);

const recordedEntry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: z.string(), sha256, bytes: count }),
  z.object({ kind: z.literal('dir'), path: z.string() }),
  z.object({ kind: z.literal('symlink'), path: z.string(), target: z.string() }),
]);

const threatSignal = z.object({
  id: z.enum(SIGNAL_IDS),
  label: z.string(),
  weight: z.number().min(0),
  fired: z.boolean(),
  contribution: z.number().min(0),
  explanation: z.string(),
});

const attestation = z.object({
  nodeKeyid: sha256,
  resultSha256: sha256,
  signature: z.string(),
  /** The node's statement as it signed it; `audit verify` and replay check it (core/run/attestation.ts). */
  statement: z.looseObject({ format: z.string() }),
});

/** The parts of a record that say how it was decided, as every reader sees them. */
interface DecidedParts {
  readonly decision: 'allow' | 'deny';
  readonly pre: { readonly phase: 'pre' | 'post'; readonly decision: 'allow' | 'deny' };
  readonly post: { readonly phase: 'pre' | 'post'; readonly decision: 'allow' | 'deny' } | null;
  readonly execution: unknown;
}

/**
 * What every writer guaranteed: a run that did not execute has no post verdict, and allow means pre
 * allowed, it ran, and post allowed. A record breaking these was not written by Night Core.
 */
function checkVerdicts(r: DecidedParts, ctx: z.RefinementCtx): void {
  if (r.pre.phase !== 'pre') ctx.addIssue({ code: 'custom', path: ['pre', 'phase'], message: 'must be "pre"' });
  if (r.post && r.post.phase !== 'post') ctx.addIssue({ code: 'custom', path: ['post', 'phase'], message: 'must be "post"' });
  if ((r.execution === null) !== (r.post === null)) {
    ctx.addIssue({ code: 'custom', path: ['post'], message: 'must be null exactly when execution is null (nothing ran)' });
  }
  if (r.decision === 'allow' && (r.pre.decision !== 'allow' || r.execution === null || r.post?.decision !== 'allow')) {
    ctx.addIssue({ code: 'custom', path: ['decision'], message: 'allow needs a pre-exec allow, an execution and a post-exec allow' });
  }
}

export const ZDecisionRecordSchema = z
  .object({
    format: z.literal(DECISION_FORMAT),
    runId: z.string().min(1).max(128),
    actor: z.string().min(1),
    startedAt: instant,
    module: z.object({
      id: z.number().int().min(0),
      name: z.string().min(1),
      version: z.string().min(1),
      tenant: z.string().min(1),
      wasmSha256: sha256,
      manifestSha256: sha256,
      signers: z.array(z.object({ keyid: sha256, name: z.string(), role: z.string() })),
      /** Since 89b9c62: null for a bundle, the unsigned origin for a legacy import. Absent: not recorded. */
      legacy: z
        .object({ format: z.literal('nightcore.legacy-signature/v1'), folderName: z.string(), unsignedManifestSha256: sha256 })
        .nullable()
        .optional(),
    }),
    policy: z.object({ name: z.string().min(1), revision: z.number().int().min(0), sha256 }),
    verification: z.object({ ok: z.boolean(), code: z.string().nullable(), message: z.string().nullable() }),
    threat: z.object({ score: z.number().int().min(0).max(100), band: z.enum(BANDS), signals: z.array(threatSignal) }),
    granted: z.object({
      capabilities: z.array(z.enum(CAPABILITIES)),
      limits,
      env: z.array(z.string()),
      /** Since 05fa91b. */
      limitSources: z.object({ requested: effectiveLimits, policy: effectiveLimits }).optional(),
    }),
    input: z.object({
      entry: z.string().min(1),
      args: z.array(z.string()),
      env: z.record(z.string(), z.string()),
      stdinSha256: sha256,
      stdinBytes: count,
      seed: z.string().regex(U64_DECIMAL, 'must be a decimal unsigned 64-bit integer').refine((s) => BigInt(s) < 1n << 64n, 'must be below 2^64'),
      /** Since ae94af9, for `nightcore call`. */
      invocation: z.object({ args: z.array(recordedValue), results: z.array(valueType) }).optional(),
      /** Since a6cdcf6 (`--dir`); `entries` absent when the listings did not fit the record. */
      dirs: z
        .array(z.object({ guestPath: z.string().min(1), treeSha256: sha256, entryCount: count, bytes: count, entries: z.array(recordedEntry).optional() }))
        .optional(),
      envWithheld: z.array(z.string()).optional(),
    }),
    /** Since ae94af9. */
    approval: z
      .object({
        approved: z.boolean(),
        source: z.string().min(1),
        detail: z.string(),
        restsOn: z
          .array(z.object({ subject: z.string(), keyid: sha256, approver: z.string(), time: z.string(), statementSha256: sha256 }))
          .optional(),
      })
      .optional(),
    pre: verdict,
    /** Since ae94af9: null when nothing ran. */
    backend: z.object({ kind: z.enum(BACKEND_KINDS), attestation: attestation.optional() }).nullable().optional(),
    execution: z
      .object({
        outcome,
        used: z.object({ fuel: count, peakMemoryPages: count, wallMs: z.number().min(0), outputBytes: count }),
        outputTruncated: z.boolean(),
        /** Since ae94af9. */
        capabilityDenials: z
          .array(z.object({ fn: z.string(), capability: z.string().nullable(), errno: z.string(), count: count, samples: z.array(z.string()) }))
          .optional(),
        stdoutSha256: sha256,
        stderrSha256: sha256,
        outputSha256: sha256,
        returnValues: z.array(recordedValue).optional(),
        filesystem: z.array(z.object({ guestPath: z.string().min(1), treeSha256: sha256, entries: count, bytes: count })).optional(),
      })
      .nullable(),
    post: verdict.nullable(),
    decision,
    quarantine: z.object({ source: z.enum(['post_exec', 'threat']), reason: z.string() }).nullable(),
  })
  .superRefine((r, ctx) => {
    checkVerdicts(r, ctx);
    if (r.quarantine !== null && r.decision !== 'deny') {
      ctx.addIssue({ code: 'custom', path: ['quarantine'], message: 'a run that quarantined its module is a deny' });
    }
  });

/** Every outcome kind the sandbox knows is one the reader accepts (fails to compile otherwise). */
type ReadKinds = z.output<typeof outcome>['kind'];
const _everyKindRead: readonly ReadKinds[] = OUTCOME_KINDS;
void _everyKindRead;

/**
 * Only how a record was decided: the decision, both verdicts and the execution's outcome, checked
 * exactly as the full schema checks them. For a list that explains many rows at once (the runs
 * list's "why"), where the rest of each record is not shown: the full read of every record on a
 * page cost more than the page's query (bench/runs-why.bench.ts). Anything that shows, replays
 * or judges a record reads it whole.
 */
export const ZDecisionVerdictsSchema = z
  .object({ decision, pre: verdict, post: verdict.nullable(), execution: z.object({ outcome }).nullable() })
  .superRefine(checkVerdicts);

export type RecordCode = 'RECORD_INVALID';

/**
 * A decision record from its stored text (the payload of its run.decided event) or from a parsed
 * value: every bad field named, never a cast. `runId` names the run in the message.
 */
export function parseDecisionRecord(input: string | unknown, runId?: string): Result<z.output<typeof ZDecisionRecordSchema>, RecordCode> {
  return readWith(ZDecisionRecordSchema, input, runId);
}

/** The decided parts of a stored record (ZDecisionVerdictsSchema), refused with the same messages. */
export function parseDecisionVerdicts(input: string | unknown, runId?: string): Result<z.output<typeof ZDecisionVerdictsSchema>, RecordCode> {
  return readWith(ZDecisionVerdictsSchema, input, runId);
}

function readWith<S extends z.ZodType>(schema: S, input: string | unknown, runId: string | undefined): Result<z.output<S>, RecordCode> {
  const which = runId ? `run ${runId}'s decision record` : 'the decision record';
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return err('RECORD_INVALID', `${which} is not JSON`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return err('RECORD_INVALID', `${which} is not a ${DECISION_FORMAT} record: ${issues.join('; ')}`, issues);
  }
  return ok(parsed.data);
}
