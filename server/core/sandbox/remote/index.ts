/**
 * The `remote` backend: each run is a job signed by the console and sent to an execution node
 * (registered in the trust store with role `node`), which runs it on its own local backend and signs
 * the result. The result counts only if the node's signature verifies and it answers exactly this job;
 * the node's attestation goes into the decision record. A node that dies mid-run yields `crashed`
 * (recorded, never lost). The transport is a port (HTTP in services), so the protocol stays neutral.
 */
import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../../crypto/digest';
import { err, ok, type Result } from '../../result';
import { withRequestChecks, type BackendStats, type SandboxBackend, type SandboxRunError } from '../backend';
import { emptyResult } from '../request-checks';
import type { RunRequest, RunResult } from '../types';
import {
  CANCEL_FORMAT,
  JOB_FORMAT,
  signCancel,
  signJob,
  verifyRefusal,
  verifyResult,
  type JobStatement,
  type SignedCancel,
  type SignedJob,
  type SignedRefusal,
  type SignedResult,
} from './protocol';
import { encodeInvocation, encodeTrees, type EncodedPreopen } from './values';
import { REMOTE } from './guarantees';

export { REMOTE } from './guarantees';
export { createExecutionNode, type ExecutionNode, type JobCode } from './node';
export type { SignedCancel, SignedJob, SignedRefusal, SignedResult } from './protocol';
export { verifyAttestation } from './protocol';

export interface RemoteNode {
  readonly keyid: string;
  readonly url: string;
  /** Runs the node accepts at once. */
  readonly capacity: number;
}

/** How jobs reach nodes. `submit` rejects when the node cannot be reached or dies mid-run. */
export interface NodeTransport {
  submit(
    node: RemoteNode,
    job: SignedJob,
    signal: AbortSignal,
  ): Promise<{ ok: true; result: SignedResult } | { ok: false; status: number; code: string; message: string; refusal?: SignedRefusal }>;
  /** Tells the node to stop a job (signed by the console); true when the node stopped it. */
  cancel(node: RemoteNode, order: SignedCancel): Promise<boolean>;
  /** What the node reports about itself; rejects when it cannot be reached. */
  health?(node: RemoteNode, signal: AbortSignal): Promise<NodeHealth>;
}

/** A node's own report (GET /v1/health): the dispatch weighs it, never trusts it for results. */
export interface NodeHealth {
  readonly keyid: string;
  readonly kind: string;
  readonly capacity: number;
  readonly running: number;
  readonly queued: number;
}

export interface RemoteBackendOptions {
  readonly nodes: readonly RemoteNode[];
  readonly transport: NodeTransport;
  readonly consoleKeyid: string;
  /** The node's public key while it is trusted (an active trust-store key of role `node`); asked at every run, so a revocation takes effect at once. */
  readonly nodeKey: (keyid: string) => Uint8Array | undefined;
  readonly sign: (message: Uint8Array) => Uint8Array;
  readonly verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
  readonly clock: () => Date;
  /** Job lifetime beyond the run's wall-clock limit (default 60 s). */
  readonly ttlSlackMs?: number;
  /** How long a node that failed is skipped (default 10 s). */
  readonly cooldownMs?: number;
  /** How often nodes are asked for their health (default 5 s; 0: never, dispatch on configured capacity only). */
  readonly healthEveryMs?: number;
}

interface NodeState {
  readonly node: RemoteNode;
  running: number;
  downUntil: number;
  /** The node's last health report (its load includes other consoles' jobs); undefined until one arrived. */
  reported?: NodeHealth;
}

export function createRemoteBackend(opts: RemoteBackendOptions): SandboxBackend {
  const states: NodeState[] = opts.nodes.map((node) => ({ node, running: 0, downUntil: 0 }));
  /** Jobs on their way or running, with where they run: the kill switch tells each node to stop. */
  const inFlight = new Map<AbortController, { state: NodeState; jobId: string }>();
  const healthEvery = opts.healthEveryMs ?? 5_000;
  let healthTimer: ReturnType<typeof setInterval> | undefined;
  const counters = { completed: 0, timeouts: 0, crashes: 0, killed: 0, forged: 0, cancelled: 0 };
  let closed = false;
  let killReason = '';

  /** What a node can take: the configured capacity, or less when the node says so. */
  const capacityOf = (s: NodeState) => Math.max(0, Math.min(s.node.capacity, s.reported?.capacity ?? s.node.capacity));
  /** Its load: ours, or what it reported (other consoles' jobs included) when that is more. */
  const loadOf = (s: NodeState) => Math.max(s.running, (s.reported?.running ?? 0) + (s.reported?.queued ?? 0));

  /** The healthy node with the most free capacity, or none. */
  function pick(): NodeState | undefined {
    const now = Date.now();
    return states
      .filter((s) => s.downUntil <= now && s.running < capacityOf(s) && opts.nodeKey(s.node.keyid) !== undefined)
      .sort((a, b) => loadOf(a) / capacityOf(a) - loadOf(b) / capacityOf(b))[0];
  }

  /** Asks every node how it is: an unreachable node, or one answering with another key, is rested. */
  async function checkHealth(): Promise<void> {
    const health = opts.transport.health;
    if (!health) return;
    await Promise.all(
      states.map(async (s) => {
        try {
          const h = await health(s.node, AbortSignal.timeout(2_000));
          if (h?.keyid !== s.node.keyid || !Number.isFinite(h.capacity)) throw new Error('the address answers as another node');
          s.reported = { keyid: h.keyid, kind: String(h.kind), capacity: Number(h.capacity), running: Number(h.running) || 0, queued: Number(h.queued) || 0 };
          if (s.downUntil > Date.now() && s.running === 0) s.downUntil = 0; // back: no need to wait out the rest
        } catch {
          s.reported = undefined;
          s.downUntil = Math.max(s.downUntil, Date.now() + (opts.cooldownMs ?? 10_000));
        }
      }),
    );
  }
  if (healthEvery > 0 && opts.transport.health) {
    healthTimer = setInterval(() => void checkHealth(), healthEvery);
    healthTimer.unref?.();
  }

  /** Tells the node to stop a job (best effort: a node that is gone stops with its run anyway). */
  function cancelOnNode(state: NodeState, jobId: string, reason: string): void {
    const statement = { format: CANCEL_FORMAT, jobId, consoleKeyid: opts.consoleKeyid, nodeKeyid: state.node.keyid, reason, issuedAt: opts.clock().toISOString() } as const;
    opts.transport.cancel(state.node, signCancel(statement, opts.sign)).then(
      (stopped) => void (stopped && counters.cancelled++),
      () => undefined,
    );
  }

  function statement(req: RunRequest, node: RemoteNode, preopens: EncodedPreopen[] | undefined): JobStatement {
    const issued = opts.clock();
    const invoke = encodeInvocation(req.invoke);
    return {
      format: JOB_FORMAT,
      jobId: randomUUID(),
      consoleKeyid: opts.consoleKeyid,
      nodeKeyid: node.keyid,
      issuedAt: issued.toISOString(),
      expiresAt: new Date(issued.getTime() + req.limits.wallMs + (opts.ttlSlackMs ?? 60_000)).toISOString(),
      wasmSha256: req.wasmSha256,
      stdinSha256: sha256Hex(req.stdin),
      entry: req.entry,
      args: [...req.args],
      env: { ...req.env },
      seed: req.seed.toString(),
      capabilities: [...req.capabilities],
      limits: req.limits,
      ...(invoke ? { invoke } : {}),
      ...(preopens ? { preopens } : {}),
      ...(req.provenance ? { provenance: { source: req.provenance.source, manifest: req.provenance.manifest, envelope: req.provenance.envelope } } : {}),
    };
  }

  async function runOn(state: NodeState, req: RunRequest): Promise<Result<RunResult, SandboxRunError>> {
    // Every file hashed once: the statement pins the digests, the bytes travel beside it.
    const trees = req.preopens && req.preopens.length > 0 ? encodeTrees(req.preopens) : undefined;
    const job = statement(req, state.node, trees?.trees);
    const abort = new AbortController();
    inFlight.set(abort, { state, jobId: job.jobId });
    state.running++;
    const started = performance.now();
    const wallMs = () => Math.round((performance.now() - started) * 100) / 100;
    // The node kills the run at its wall-clock limit; the console waits a little longer, then gives up.
    const timer = setTimeout(() => {
      abort.abort('timeout');
      cancelOnNode(state, job.jobId, 'the console gave up waiting (wall-clock limit)');
    }, req.limits.wallMs + 5_000);
    try {
      const answer = await opts.transport.submit(state.node, signJob(job, opts.sign, req.wasm, req.stdin, trees?.files), abort.signal);
      const nodePublicKey = opts.nodeKey(state.node.keyid);
      if (!answer.ok) {
        if (answer.code === 'BUSY') return err('BUSY', `execution node ${state.node.keyid.slice(0, 12)} is busy`);
        const name = state.node.keyid.slice(0, 12);
        // A signed refusal is the node's word, kept in the record; an unsigned one is only a failure.
        const signed = answer.refusal && nodePublicKey ? verifyRefusal(answer.refusal, { job, nodePublicKey, verify: opts.verify }) : undefined;
        if (signed?.ok && signed.value.code === 'MODULE_UNTRUSTED') {
          return ok({ ...emptyResult({ kind: 'denied', reason: `execution node ${name} refused the module: ${signed.value.message}` }, wallMs()), attestation: signed.value.attestation });
        }
        counters.crashes++;
        const said = signed?.ok ? 'refused the job (signed' : 'refused the job (unsigned';
        const crashed = emptyResult({ kind: 'crashed', message: `execution node ${name} ${said}, ${answer.code}): ${answer.message}` }, wallMs());
        return ok(signed?.ok ? { ...crashed, attestation: signed.value.attestation } : crashed);
      }
      const verified = nodePublicKey
        ? verifyResult(answer.result, { job, nodePublicKey, verify: opts.verify })
        : ({ ok: false, code: 'RESULT_SIGNATURE_INVALID', message: 'the node\'s key is no longer trusted' } as const);
      if (!verified.ok) {
        counters.forged++;
        counters.crashes++;
        return ok(emptyResult({ kind: 'crashed', message: `the result from node ${state.node.keyid.slice(0, 12)} was refused (${verified.code}): ${verified.message}` }, wallMs()));
      }
      return ok(verified.value);
    } catch (e) {
      if (abort.signal.reason === 'killed') return ok(emptyResult({ kind: 'denied', reason: `kill switch: ${killReason}` }, wallMs()));
      if (abort.signal.reason === 'timeout') {
        counters.timeouts++;
        return ok(emptyResult({ kind: 'timeout' }, wallMs()));
      }
      // The node died or the network failed mid-run: recorded as crashed, and the node rests a while.
      state.downUntil = Date.now() + (opts.cooldownMs ?? 10_000);
      counters.crashes++;
      return ok(emptyResult({ kind: 'crashed', message: `execution node ${state.node.keyid.slice(0, 12)} was lost mid-run: ${(e as Error).message}` }, wallMs()));
    } finally {
      clearTimeout(timer);
      inFlight.delete(abort);
      state.running--;
      counters.completed++;
    }
  }

  const backend: SandboxBackend = {
    kind: 'remote',
    description: REMOTE,
    async run(req) {
      if (closed) return err('SHUT_DOWN', 'the remote backend is closed');
      const state = pick();
      if (!state) return err('BUSY', states.length === 0 ? 'no execution node is configured' : 'no execution node is free and healthy');
      return runOn(state, req);
    },
    killAll(reason) {
      killReason = reason;
      const n = inFlight.size;
      for (const [a, { state, jobId }] of inFlight) {
        a.abort('killed');
        cancelOnNode(state, jobId, `kill switch: ${reason}`);
      }
      counters.killed += n;
      return n;
    },
    stats(): BackendStats {
      const { forged, cancelled, ...common } = counters;
      return {
        kind: 'remote',
        capacity: states.reduce((n, s) => n + capacityOf(s), 0),
        running: states.reduce((n, s) => n + s.running, 0),
        queued: 0,
        queueLimit: states.reduce((n, s) => n + s.node.capacity, 0) * 2,
        ...common,
        detail: { nodes: states.length, healthy: states.filter((s) => s.downUntil <= Date.now()).length, refusedResults: forged, cancelledOnNodes: cancelled },
      };
    },
    async close() {
      closed = true;
      if (healthTimer) clearInterval(healthTimer);
      for (const a of inFlight.keys()) a.abort('closed');
    },
  };
  return withRequestChecks(backend);
}
