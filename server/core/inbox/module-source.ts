/**
 * An approved agent submission as a module source. Nobody signed its manifest as a publisher: its
 * trust rests only on the signed approvals of registered approvers, bound to exactly its wasm
 * digest, manifest digest and the policy revision in force. So it is judged again before every
 * run, like a signed bundle against today's trust store: the stored bytes must still be the approved
 * bytes, the submission must still be approved, and its statements must still meet the quorum now
 * (a revoked key, an expired approval or a new policy revision stops it at once).
 */
import { sha256Hex } from '../crypto/digest';
import { parseManifestText } from '../module/verify';
import type { Signer } from '../module/types';
import type { Reverification, StoredModule } from '../run/ports';
import type { QuorumResult } from './quorum';
import type { SubmissionState } from './submission';

export const SUBMISSION_ENVELOPE_FORMAT = 'nightcore.submission/v1';

/** What a `submission` module row keeps in envelope_json: which submission vouches for it. */
export function submissionEnvelope(submissionId: string): string {
  return JSON.stringify({ format: SUBMISSION_ENVELOPE_FORMAT, submission: submissionId });
}

/** The submission id a row's envelope names, or undefined when it is not a submission envelope. */
export function submissionIdOf(envelopeJson: string): string | undefined {
  try {
    const v = JSON.parse(envelopeJson) as { format?: unknown; submission?: unknown };
    return v.format === SUBMISSION_ENVELOPE_FORMAT && typeof v.submission === 'string' && v.submission.length > 0 ? v.submission : undefined;
  } catch {
    return undefined;
  }
}

/** The submission as the inbox holds it now (state as a reader sees it: an overdue pending one is expired). */
export interface SubmissionFacts {
  readonly id: string;
  readonly state: SubmissionState;
  readonly wasmSha256: string;
  readonly manifestSha256: string;
}

/**
 * Judges a `submission` module row. `submission` is the one its envelope names (undefined: gone);
 * `quorum` is that submission's stored statements evaluated now under the policy in force.
 */
export function judgeSubmissionModule(module: StoredModule, submission: SubmissionFacts | undefined, quorum: QuorumResult | undefined): Reverification {
  const parsed = parseManifestText(module.manifestJson);
  const manifest = parsed.ok ? parsed.value : null;
  const refuse = (code: Reverification['code'], message: string): Reverification => ({ ok: false, code, message, manifest, signers: [], legacy: null });
  if (!manifest) return refuse('MANIFEST_INVALID', 'The stored manifest of this approved submission no longer parses.');
  // The bytes that run must be the bytes the approvers saw: recomputed here, never taken from a column.
  const wasmSha256 = sha256Hex(module.wasm);
  if (wasmSha256 !== module.wasmSha256 || manifest.wasm.sha256 !== wasmSha256) {
    return refuse('DIGEST_MISMATCH', `The stored wasm (sha256 ${wasmSha256}) is not the approved code.`);
  }
  if (sha256Hex(module.manifestJson) !== module.manifestSha256) return refuse('DIGEST_MISMATCH', 'The stored manifest is not the approved manifest.');
  if (!submission) return refuse('NOT_APPROVED', 'No submission vouches for this module.');
  if (submission.wasmSha256 !== module.wasmSha256 || submission.manifestSha256 !== module.manifestSha256) {
    return refuse('NOT_APPROVED', `Submission ${submission.id} approved different code or a different manifest; a new digest needs its own approvals.`);
  }
  if (submission.state !== 'approved') return refuse('NOT_APPROVED', `Submission ${submission.id} is ${submission.state}, not approved.`);
  if (!quorum || quorum.state !== 'met') {
    const why = quorum ? [quorum.detail, ...new Set(quorum.refused.map((r) => r.message))].join(' ') : 'Its approvals could not be evaluated.';
    return refuse('NOT_APPROVED', `Submission ${submission.id} was approved but its signed approvals no longer meet the quorum: ${why}`);
  }
  const signers: Signer[] = quorum.counted.map((c) => ({ keyid: c.keyid, name: c.person.username, role: 'approver' }));
  return { ok: true, code: null, message: null, manifest, signers, legacy: null };
}
