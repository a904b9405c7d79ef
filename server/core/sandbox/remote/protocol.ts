/**
 * The execution-node job protocol (`nightcore.job/v1`, `nightcore.job-result/v1`), transport-neutral:
 * a job is a canonical JSON statement signed by the console's server key, carried with the module and
 * stdin bytes it pins by digest; a result is a canonical JSON statement signed by the node's key,
 * binding the job's digest. Signatures are Ed25519 over a domain-separated message, so a job signature
 * can never be presented as a result signature (or as any other Night Core signature). Pure.
 */
import { canonicalJson } from '../../module/canonical';
import { sha256Hex } from '../../crypto/digest';
import { err, ok, type Result } from '../../result';
import type { Capability, TLimits } from '../../module/manifest';
import type { CapabilityDenial, ModuleProvenance, RemoteAttestation, RunOutcome, RunResult } from '../types';
import { decodeTrees, decodeValues, type EncodedInvocation, type EncodedPreopen, type EncodedValue } from './values';

export const JOB_FORMAT = 'nightcore.job/v1';
export const RESULT_FORMAT = 'nightcore.job-result/v1';
export const REFUSAL_FORMAT = 'nightcore.job-refusal/v1';
export const CANCEL_FORMAT = 'nightcore.job-cancel/v1';
const CANCEL_DOMAIN = 'nightcore job cancel v1\n';
const JOB_DOMAIN = 'nightcore job v1\n';
const RESULT_DOMAIN = 'nightcore job result v1\n';
const REFUSAL_DOMAIN = 'nightcore job refusal v1\n';

export interface JobStatement {
  readonly format: typeof JOB_FORMAT;
  /** Random, unique: a node refuses a job id it has seen (replay). */
  readonly jobId: string;
  /** Key id of the console that signed it, and the node it is for. */
  readonly consoleKeyid: string;
  readonly nodeKeyid: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly wasmSha256: string;
  readonly stdinSha256: string;
  readonly entry: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Decimal string of the 64-bit seed. */
  readonly seed: string;
  readonly capabilities: readonly Capability[];
  readonly limits: TLimits;
  /** Set for `nightcore call`: the export's typed arguments and result types. */
  readonly invoke?: EncodedInvocation;
  /** Preopened directories, each file by SHA-256 (bytes travel in `SignedJob.files`). */
  readonly preopens?: readonly EncodedPreopen[];
  /** The module's signature evidence, which the node verifies against its own trust store. */
  readonly provenance?: ModuleProvenance;
}

/** What travels: the statement, its signature, and the bytes it pins (base64). */
export interface SignedJob {
  readonly statement: JobStatement;
  readonly signature: string;
  readonly wasm: string;
  readonly stdin: string;
  /** File contents of the preopens, base64 by SHA-256. */
  readonly files?: Readonly<Record<string, string>>;
}

export interface ResultStatement {
  readonly format: typeof RESULT_FORMAT;
  readonly jobId: string;
  /** SHA-256 of the job statement's canonical bytes: the result answers exactly that job. */
  readonly jobSha256: string;
  readonly nodeKeyid: string;
  /** The node's local backend that executed it. */
  readonly executedBy: string;
  readonly outcome: RunOutcome;
  readonly fuelUsed: number;
  readonly peakMemoryPages: number;
  readonly wallMs: number;
  readonly outputTruncated: boolean;
  readonly stdoutSha256: string;
  readonly stderrSha256: string;
  readonly capabilityDenials: readonly CapabilityDenial[];
  readonly returnValues?: readonly EncodedValue[];
  /** The preopened directories' final state, each file by SHA-256 (bytes in `SignedResult.files`). */
  readonly filesystem?: readonly EncodedPreopen[];
}

export interface SignedResult {
  readonly statement: ResultStatement;
  readonly signature: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly files?: Readonly<Record<string, string>>;
}

const enc = new TextEncoder();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function canonicalBytes(value: object): Uint8Array {
  const c = canonicalJson(value);
  if (!c.ok) throw new Error(`not signable: ${c.message}`);
  return enc.encode(c.value);
}

export const jobSigningBytes = (s: JobStatement): Uint8Array => new Uint8Array([...enc.encode(JOB_DOMAIN), ...canonicalBytes(s)]);
export const resultSigningBytes = (s: ResultStatement): Uint8Array => new Uint8Array([...enc.encode(RESULT_DOMAIN), ...canonicalBytes(s)]);
export const jobDigest = (s: JobStatement): string => sha256Hex(canonicalBytes(s));

/**
 * The console's signed order to stop a job it sent (the kill switch, or its own wall-clock give-up).
 * Only the console that signed the job may cancel it; the node checks that.
 */
export interface CancelStatement {
  readonly format: typeof CANCEL_FORMAT;
  readonly jobId: string;
  readonly consoleKeyid: string;
  readonly nodeKeyid: string;
  readonly reason: string;
  readonly issuedAt: string;
}

export interface SignedCancel {
  readonly statement: CancelStatement;
  readonly signature: string;
}

export const cancelSigningBytes = (s: CancelStatement): Uint8Array => new Uint8Array([...enc.encode(CANCEL_DOMAIN), ...canonicalBytes(s)]);

export function signCancel(statement: CancelStatement, sign: (m: Uint8Array) => Uint8Array): SignedCancel {
  return { statement, signature: b64(sign(cancelSigningBytes(statement))) };
}

/**
 * A node's signed "no" to a job it authenticated (the console's signature verified): which job,
 * and why. The console records it (a module the node does not trust is a denial naming the node's
 * reason), and `audit verify` checks its signature like a result's.
 */
export interface RefusalStatement {
  readonly format: typeof REFUSAL_FORMAT;
  readonly jobId: string;
  readonly jobSha256: string;
  readonly nodeKeyid: string;
  readonly code: string;
  readonly message: string;
}

export interface SignedRefusal {
  readonly statement: RefusalStatement;
  readonly signature: string;
}

export const refusalSigningBytes = (s: RefusalStatement): Uint8Array => new Uint8Array([...enc.encode(REFUSAL_DOMAIN), ...canonicalBytes(s)]);

export function signRefusal(statement: RefusalStatement, sign: (m: Uint8Array) => Uint8Array): SignedRefusal {
  return { statement, signature: b64(sign(refusalSigningBytes(statement))) };
}

/** A refusal counts only when the node the job went to signed it, for exactly this job. */
export function verifyRefusal(
  refusal: SignedRefusal,
  expect: { job: JobStatement; nodePublicKey: Uint8Array; verify: Verify },
): Result<{ code: string; message: string; attestation: RemoteAttestation }, ResultCode> {
  const s = refusal?.statement;
  if (!s || s.format !== REFUSAL_FORMAT || typeof refusal.signature !== 'string' || typeof s.code !== 'string' || typeof s.message !== 'string') {
    return err('RESULT_INVALID', 'the node answered with something that is not a job refusal');
  }
  let bytes: Uint8Array;
  try {
    bytes = refusalSigningBytes(s);
  } catch {
    return err('RESULT_INVALID', 'the refusal is not plain JSON');
  }
  if (!expect.verify(expect.nodePublicKey, bytes, Buffer.from(refusal.signature, 'base64'))) {
    return err('RESULT_SIGNATURE_INVALID', 'the refusal is not signed by the node the job was sent to');
  }
  if (s.jobId !== expect.job.jobId || s.jobSha256 !== jobDigest(expect.job) || s.nodeKeyid !== expect.job.nodeKeyid) {
    return err('RESULT_MISMATCH', 'the refusal answers a different job');
  }
  return ok({ code: s.code, message: s.message, attestation: { nodeKeyid: s.nodeKeyid, resultSha256: sha256Hex(bytes), signature: refusal.signature, statement: s } });
}

/**
 * Checks a node attestation as kept in a decision record: the statement (a result or a refusal)
 * signed by this public key, and the recorded digest of exactly those bytes. Used by `audit
 * verify` and `replay` with the node's key from the trust store as of the run.
 */
export function verifyAttestation(att: RemoteAttestation, publicKey: Uint8Array, verify: Verify): Result<true, 'ATTESTATION_INVALID'> {
  const s = att?.statement as { format?: unknown; nodeKeyid?: unknown } | undefined;
  if (!s || typeof att.signature !== 'string' || typeof att.resultSha256 !== 'string') return err('ATTESTATION_INVALID', 'the node attestation is malformed');
  if (s.nodeKeyid !== att.nodeKeyid) return err('ATTESTATION_INVALID', 'the attestation names another node than its statement');
  let bytes: Uint8Array;
  try {
    if (s.format === RESULT_FORMAT) bytes = resultSigningBytes(s as ResultStatement);
    else if (s.format === REFUSAL_FORMAT) bytes = refusalSigningBytes(s as RefusalStatement);
    else return err('ATTESTATION_INVALID', `the attested statement has an unknown format ${JSON.stringify(String(s.format)).slice(0, 60)}`);
  } catch {
    return err('ATTESTATION_INVALID', 'the attested statement is not plain JSON');
  }
  if (sha256Hex(bytes) !== att.resultSha256) return err('ATTESTATION_INVALID', 'the recorded digest does not match the attested statement');
  if (!verify(publicKey, bytes, Buffer.from(att.signature, 'base64'))) return err('ATTESTATION_INVALID', `the signature of node ${att.nodeKeyid.slice(0, 16)} does not verify`);
  return ok(true);
}

export function signJob(statement: JobStatement, sign: (m: Uint8Array) => Uint8Array, wasm: Uint8Array, stdin: Uint8Array, files: Record<string, string> = {}): SignedJob {
  return { statement, signature: b64(sign(jobSigningBytes(statement))), wasm: b64(wasm), stdin: b64(stdin), files };
}

export function signResult(statement: ResultStatement, sign: (m: Uint8Array) => Uint8Array, stdout: Uint8Array, stderr: Uint8Array, files: Record<string, string> = {}): SignedResult {
  return { statement, signature: b64(sign(resultSigningBytes(statement))), stdout: b64(stdout), stderr: b64(stderr), files };
}

export type ResultCode = 'RESULT_INVALID' | 'RESULT_SIGNATURE_INVALID' | 'RESULT_MISMATCH';
type Verify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/** Checks a node's answer: its signature by the expected node key, that it answers this job, and that the bytes match their digests. */
export function verifyResult(
  answer: SignedResult,
  expect: { job: JobStatement; nodePublicKey: Uint8Array; verify: Verify },
): Result<RunResult, ResultCode> {
  const s = answer?.statement;
  if (!s || s.format !== RESULT_FORMAT || typeof answer.signature !== 'string') return err('RESULT_INVALID', 'the node answered with something that is not a job result');
  const signature = Buffer.from(answer.signature, 'base64');
  if (!expect.verify(expect.nodePublicKey, resultSigningBytes(s), signature)) {
    return err('RESULT_SIGNATURE_INVALID', 'the result is not signed by the node the job was sent to');
  }
  if (s.jobId !== expect.job.jobId || s.jobSha256 !== jobDigest(expect.job) || s.nodeKeyid !== expect.job.nodeKeyid) {
    return err('RESULT_MISMATCH', 'the result answers a different job');
  }
  const stdout = new Uint8Array(Buffer.from(answer.stdout, 'base64'));
  const stderr = new Uint8Array(Buffer.from(answer.stderr, 'base64'));
  if (sha256Hex(stdout) !== s.stdoutSha256 || sha256Hex(stderr) !== s.stderrSha256) {
    return err('RESULT_MISMATCH', 'the output bytes do not match the signed digests');
  }
  const returnValues = s.returnValues === undefined ? undefined : decodeValues(s.returnValues);
  if (returnValues && !returnValues.ok) return err('RESULT_INVALID', 'the result carries malformed return values');
  const filesystem = s.filesystem === undefined ? undefined : decodeTrees(s.filesystem, answer.files ?? {});
  if (filesystem && !filesystem.ok) return err('RESULT_MISMATCH', filesystem.message);
  return ok({
    ...(filesystem ? { filesystem: filesystem.value } : {}),
    ...(returnValues ? { returnValues: returnValues.value } : {}),
    outcome: s.outcome,
    fuelUsed: s.fuelUsed,
    peakMemoryPages: s.peakMemoryPages,
    wallMs: s.wallMs,
    stdout,
    stderr,
    outputTruncated: s.outputTruncated,
    capabilityDenials: s.capabilityDenials,
    attestation: { nodeKeyid: s.nodeKeyid, resultSha256: sha256Hex(resultSigningBytes(s)), signature: answer.signature, statement: s },
  });
}
