/** What the decision record keeps of an execution: outcome, budget used and output digests. */
import { sha256Hex } from '../crypto/digest';
import type { DecisionRecord } from '../guardian/decision-record';
import type { RunResult } from '../sandbox/types';
import { recordValue } from '../sandbox/call-args';
import { dirState } from './input-tree';

export interface OutputDigests {
  readonly stdoutSha256: string;
  readonly stderrSha256: string;
  /** SHA-256 of "<stdoutSha256>\n<stderrSha256>": the one digest replay compares. */
  readonly outputSha256: string;
}

export function outputDigest(stdout: Uint8Array, stderr: Uint8Array): OutputDigests {
  const stdoutSha256 = sha256Hex(stdout);
  const stderrSha256 = sha256Hex(stderr);
  return { stdoutSha256, stderrSha256, outputSha256: sha256Hex(`${stdoutSha256}\n${stderrSha256}`) };
}

export type ExecutionSummary = NonNullable<DecisionRecord['execution']>;

export function executionSummary(result: RunResult): ExecutionSummary {
  return {
    outcome: result.outcome,
    used: {
      fuel: result.fuelUsed,
      peakMemoryPages: result.peakMemoryPages,
      wallMs: result.wallMs,
      outputBytes: result.stdout.length + result.stderr.length,
    },
    outputTruncated: result.outputTruncated,
    capabilityDenials: result.capabilityDenials,
    ...outputDigest(result.stdout, result.stderr),
    ...(result.returnValues ? { returnValues: result.returnValues.map(recordValue) } : {}),
    ...(result.filesystem && result.filesystem.length > 0 ? { filesystem: result.filesystem.map(dirState) } : {}),
  };
}

/** One line for an outcome, as replay reports and compares it. */
export function describeOutcome(o: { kind: string; exitCode?: number; trap?: string }): string {
  return o.kind === 'ok' ? `ok(exit ${o.exitCode})` : o.kind === 'trap' ? `trap(${o.trap})` : o.kind;
}
