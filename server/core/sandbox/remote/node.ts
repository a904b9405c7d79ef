/**
 * An execution node's job handling: verify the console's signed job (trusted console key, this
 * node, not expired, never seen before, bytes matching their digests), verify the module again
 * against the node's own trust store (a publisher key the node itself trusts signed exactly these
 * bytes), run it on the node's own local backend with exactly the signed grant, and sign the
 * result. A job the node authenticated but will not run gets a signed refusal saying why.
 * Transport-neutral: the HTTP server around it lives in services.
 */
import { sha256Hex } from '../../crypto/digest';
import { keyIdOf } from '../../crypto/keys';
import { ZLimitsSchema } from '../../module/manifest';
import { err, ok, type Result } from '../../result';
import type { SandboxBackend } from '../backend';
import type { TrustedKey } from '../../module/types';
import { verifyBundle } from '../../module/verify';
import { verifyLegacyTenant } from '../../module/legacy';
import type { ModuleProvenance, RunRequest } from '../types';
import { decodeInvocation, decodeTrees, encodeTrees, encodeValues } from './values';
import {
  JOB_FORMAT,
  jobDigest,
  jobSigningBytes,
  REFUSAL_FORMAT,
  RESULT_FORMAT,
  signRefusal,
  signResult,
  cancelSigningBytes,
  CANCEL_FORMAT,
  type SignedCancel,
  type SignedJob,
  type SignedRefusal,
  type SignedResult,
} from './protocol';

export type JobCode =
  | 'JOB_INVALID'
  | 'JOB_UNTRUSTED'
  | 'JOB_SIGNATURE_INVALID'
  | 'JOB_WRONG_NODE'
  | 'JOB_EXPIRED'
  | 'JOB_REPLAYED'
  | 'JOB_MISMATCH'
  | 'MODULE_UNTRUSTED'
  | 'CANCEL_INVALID'
  | 'BUSY'
  | 'SHUT_DOWN'
  | 'INSTRUMENT_FAILED';

export interface ExecutionNodeOptions {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  /** Public keys of the consoles this node takes jobs from, by key id. */
  readonly consoles: (keyid: string) => Uint8Array | undefined;
  /**
   * The node's own copy of the trust policy: the publisher keys it trusts, by key id. Every module
   * is verified against these before it runs, whatever the console decided.
   */
  readonly publishers: (keyid: string) => TrustedKey | undefined;
  readonly backend: SandboxBackend;
  readonly clock: () => Date;
  readonly sign: (seed: Uint8Array, message: Uint8Array) => Uint8Array;
  readonly verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
  /** Longest job lifetime accepted (default 10 minutes) and clock skew tolerated (default 30 s). */
  readonly maxTtlMs?: number;
  readonly skewMs?: number;
}

/** A refused job; `refusal` is signed when the node authenticated the job (it came from a console it trusts, for this node). */
export type JobRefused = { readonly ok: false; readonly code: JobCode; readonly message: string; readonly refusal?: SignedRefusal };

export interface ExecutionNode {
  readonly keyid: string;
  handle(job: SignedJob): Promise<{ readonly ok: true; readonly value: SignedResult } | JobRefused>;
  /** Stops a running (or waiting) job on the console's signed order; `stopped` is false when it was not running here. */
  cancel(order: SignedCancel): Result<{ stopped: boolean }, 'CANCEL_INVALID'>;
  health(): { keyid: string; kind: string; capacity: number; running: number; queued: number };
}

const HEX64 = /^[0-9a-f]{64}$/;
const isStringRecord = (v: unknown) => typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');

export function createExecutionNode(opts: ExecutionNodeOptions): ExecutionNode {
  const keyid = keyIdOf(opts.publicKey);
  const maxTtl = opts.maxTtlMs ?? 10 * 60_000;
  const skew = opts.skewMs ?? 30_000;
  /** Job ids seen, until they expire: a replayed job is refused, and the map stays bounded by the TTL. */
  const seen = new Map<string, number>();
  /** Jobs executing now: who sent each, and how to stop it. */
  const running = new Map<string, { consoleKeyid: string; stop: AbortController }>();

  function forgetExpired(now: number): void {
    for (const [id, expires] of seen) if (expires + skew < now) seen.delete(id);
  }

  /** The module verified against this node's trust store: signed by a publisher it trusts, digest pinned by the signed manifest. */
  function verifyModule(wasm: Uint8Array, provenance: ModuleProvenance | undefined): Result<true, 'MODULE_UNTRUSTED'> {
    if (!provenance || typeof provenance.manifest !== 'string' || typeof provenance.envelope !== 'string') {
      return err('MODULE_UNTRUSTED', 'the job carries no signed module evidence, and this node runs only modules signed by a publisher it trusts');
    }
    const ctx = { lookupKey: opts.publishers, requiredRole: 'publisher' as const, signedAt: opts.clock() };
    let verified;
    if (provenance.source === 'bundle') verified = verifyBundle({ wasm, manifestText: provenance.manifest, envelopeText: provenance.envelope }, ctx);
    else if (provenance.source === 'legacy') {
      let legacy: Record<string, unknown>;
      try {
        legacy = JSON.parse(provenance.envelope) as Record<string, unknown>;
      } catch {
        return err('MODULE_UNTRUSTED', 'the legacy signature record is not JSON');
      }
      const text = (k: string) => (typeof legacy[k] === 'string' ? (legacy[k] as string) : '');
      verified = verifyLegacyTenant({ wasm, sigText: text('sigText'), pubkeyText: text('pubkeyText'), sha256Text: text('sha256Text'), manifestText: text('manifestText'), folderName: text('folderName') }, ctx);
    } else return err('MODULE_UNTRUSTED', 'the module evidence has an unknown source');
    if (!verified.ok) return err('MODULE_UNTRUSTED', `the module does not verify against this node's trust store (${verified.code}): ${verified.message}`);
    return ok(true);
  }

  /** Refuses a job; signed when the job is authenticated, so the console can record the node's reason. */
  function refuse(job: SignedJob, code: JobCode, message: string, authenticated: boolean): JobRefused {
    if (!authenticated) return { ok: false, code, message };
    const statement = { format: REFUSAL_FORMAT, jobId: job.statement.jobId, jobSha256: jobDigest(job.statement), nodeKeyid: keyid, code, message } as const;
    return { ok: false, code, message, refusal: signRefusal(statement, (m) => opts.sign(opts.seed, m)) };
  }

  function check(job: SignedJob): Result<RunRequest, JobCode> & { authenticated?: boolean } {
    const s = job?.statement;
    if (!s || s.format !== JOB_FORMAT || typeof job.signature !== 'string' || typeof job.wasm !== 'string' || typeof job.stdin !== 'string') {
      return err('JOB_INVALID', 'not a nightcore.job/v1 job');
    }
    const consoleKey = opts.consoles(s.consoleKeyid);
    if (!consoleKey) return err('JOB_UNTRUSTED', `this node does not take jobs from console key ${String(s.consoleKeyid).slice(0, 16)}`);
    // The signature first: nothing else in an unsigned statement is worth reading.
    let signed: Uint8Array;
    try {
      signed = jobSigningBytes(s);
    } catch {
      return err('JOB_INVALID', 'the job statement is not plain JSON');
    }
    if (!opts.verify(consoleKey, signed, Buffer.from(job.signature, 'base64'))) return err('JOB_SIGNATURE_INVALID', 'the job signature does not verify');
    if (s.nodeKeyid !== keyid) return err('JOB_WRONG_NODE', 'the job was signed for another node');
    // From here the job is authenticated: the console it came from trusts this node with it.
    const refused = (code: JobCode, message: string) => ({ ...err(code, message), authenticated: true });
    const now = opts.clock().getTime();
    const issued = Date.parse(s.issuedAt);
    const expires = Date.parse(s.expiresAt);
    if (!Number.isFinite(issued) || !Number.isFinite(expires) || expires - issued > maxTtl || issued - skew > now) {
      return refused('JOB_INVALID', 'the job has an impossible lifetime');
    }
    if (expires + skew < now) return refused('JOB_EXPIRED', 'the job expired before it arrived');
    forgetExpired(now);
    if (seen.has(s.jobId)) return refused('JOB_REPLAYED', 'this job was already run');
    const limits = ZLimitsSchema.safeParse(s.limits);
    const invoke = decodeInvocation(s.invoke);
    const trees = decodeTrees(s.preopens, job.files ?? {});
    if (!trees.ok) return refused('JOB_MISMATCH', trees.message);
    if (!limits.success || !HEX64.test(s.wasmSha256) || !HEX64.test(s.stdinSha256) || !/^\d{1,20}$/.test(s.seed) || !Array.isArray(s.args) || !isStringRecord(s.env) || !invoke.ok) {
      return refused('JOB_INVALID', 'the job statement has a malformed field');
    }
    const wasm = new Uint8Array(Buffer.from(job.wasm, 'base64'));
    const stdin = new Uint8Array(Buffer.from(job.stdin, 'base64'));
    if (sha256Hex(wasm) !== s.wasmSha256 || sha256Hex(stdin) !== s.stdinSha256) return refused('JOB_MISMATCH', 'the module or stdin bytes do not match the signed digests');
    const trusted = verifyModule(wasm, s.provenance);
    if (!trusted.ok) return refused(trusted.code, trusted.message);
    seen.set(s.jobId, expires);
    return ok({
      wasmSha256: s.wasmSha256,
      wasm,
      entry: s.entry,
      args: s.args,
      env: s.env,
      stdin,
      seed: BigInt(s.seed),
      capabilities: s.capabilities,
      limits: limits.data,
      ...(invoke.value ? { invoke: invoke.value } : {}),
      ...(trees.value.length > 0 ? { preopens: trees.value } : {}),
    });
  }

  return {
    keyid,
    async handle(job) {
      const request = check(job);
      if (!request.ok) return refuse(job, request.code, request.message, request.authenticated === true);
      const stop = new AbortController();
      running.set(job.statement.jobId, { consoleKeyid: job.statement.consoleKeyid, stop });
      let ran;
      try {
        ran = await opts.backend.run(request.value, stop.signal);
      } finally {
        running.delete(job.statement.jobId);
      }
      if (!ran.ok) return refuse(job, ran.code, ran.message, true);
      const r = ran.value;
      const tree = r.filesystem ? encodeTrees(r.filesystem) : undefined;
      const statement = {
        format: RESULT_FORMAT,
        jobId: job.statement.jobId,
        jobSha256: jobDigest(job.statement),
        nodeKeyid: keyid,
        executedBy: opts.backend.kind,
        outcome: r.outcome,
        fuelUsed: r.fuelUsed,
        peakMemoryPages: r.peakMemoryPages,
        wallMs: r.wallMs,
        outputTruncated: r.outputTruncated,
        stdoutSha256: sha256Hex(r.stdout),
        stderrSha256: sha256Hex(r.stderr),
        capabilityDenials: r.capabilityDenials,
        ...(r.returnValues ? { returnValues: encodeValues(r.returnValues) } : {}),
        ...(tree ? { filesystem: tree.trees } : {}),
      } as const;
      return ok(signResult(statement, (m) => opts.sign(opts.seed, m), r.stdout, r.stderr, tree?.files));
    },
    cancel(order) {
      const s = order?.statement;
      if (!s || s.format !== CANCEL_FORMAT || typeof order.signature !== 'string' || typeof s.reason !== 'string') return err('CANCEL_INVALID', 'not a nightcore.job-cancel/v1 order');
      const consoleKey = opts.consoles(s.consoleKeyid);
      let bytes: Uint8Array;
      try {
        bytes = cancelSigningBytes(s);
      } catch {
        return err('CANCEL_INVALID', 'the cancel order is not plain JSON');
      }
      if (!consoleKey || !opts.verify(consoleKey, bytes, Buffer.from(order.signature, 'base64'))) return err('CANCEL_INVALID', 'the cancel order is not signed by a console this node trusts');
      if (s.nodeKeyid !== keyid) return err('CANCEL_INVALID', 'the cancel order is for another node');
      const job = running.get(s.jobId);
      // Only the console that sent a job may stop it.
      if (!job || job.consoleKeyid !== s.consoleKeyid) return ok({ stopped: false });
      job.stop.abort(`cancelled by console ${s.consoleKeyid.slice(0, 12)}: ${s.reason.slice(0, 200)}`);
      return ok({ stopped: true });
    },
    health() {
      const s = opts.backend.stats();
      return { keyid, kind: s.kind, capacity: s.capacity, running: s.running, queued: s.queued };
    },
  };
}
