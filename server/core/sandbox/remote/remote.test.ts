/**
 * The remote backend and the execution node, joined by an in-memory transport (the HTTP transport
 * is tested in services). Two real nodes, each with a worker-threads backend: honest runs, and the
 * attacks: forged, replayed, expired or misdirected jobs; tampered results; a node lost mid-run.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { generateKeyPair, signEd25519, verifyEd25519 } from '../../crypto/ed25519';
import { keyIdOf } from '../../crypto/keys';
import { createWorkerThreadsBackend } from '../worker-threads';
import { DEFAULT_WORKER_URL } from '../worker-threads/worker-url';
import * as m from '../test-modules';
import { createExecutionNode, createRemoteBackend, type NodeTransport, type RemoteNode, type SignedJob } from './index';
import { refusalSigningBytes, resultSigningBytes, signCancel, signJob, verifyAttestation, CANCEL_FORMAT, JOB_FORMAT, type CancelStatement, type JobStatement } from './protocol';
import { testPublisher } from './test-signed';

const publisher = testPublisher();
/** Requests whose modules a trusted publisher signed (the nodes verify every module). */
const request = (...args: Parameters<typeof m.request>) => publisher.signed(m.request(...args));

const consoleKey = generateKeyPair();
const consoleKeyid = keyIdOf(consoleKey.publicKey);
const localBackends = [createWorkerThreadsBackend({ size: 1, workerUrl: DEFAULT_WORKER_URL }), createWorkerThreadsBackend({ size: 1, workerUrl: DEFAULT_WORKER_URL })];
afterAll(async () => Promise.all(localBackends.map((b) => b.close())));

let now = new Date('2026-12-02T10:00:00Z');
const clock = () => now;
const nodes = localBackends.map((backend) => {
  const key = generateKeyPair();
  const node = createExecutionNode({
    seed: key.seed,
    publicKey: key.publicKey,
    consoles: (id) => (id === consoleKeyid ? consoleKey.publicKey : undefined),
    publishers: publisher.publishers,
    backend,
    clock,
    sign: signEd25519,
    verify: verifyEd25519,
  });
  const remote: RemoteNode = { keyid: node.keyid, url: `mem://${node.keyid.slice(0, 8)}`, capacity: 1 };
  return { node, remote, publicKey: key.publicKey };
});

type Tamper = (answer: Awaited<ReturnType<NodeTransport['submit']>>) => Awaited<ReturnType<NodeTransport['submit']>>;
function memoryTransport(opts: { tamper?: Tamper; dead?: Set<string>; health?: NodeTransport['health'] } = {}): NodeTransport {
  const nodeOf = (keyid: string) => nodes.find((x) => x.node.keyid === keyid)!.node;
  return {
    async cancel(target, order) {
      const r = nodeOf(target.keyid).cancel(structuredClone(order));
      return r.ok && r.value.stopped;
    },
    health: opts.health ?? (async (target) => nodeOf(target.keyid).health()),
    async submit(target, job, signal) {
      if (opts.dead?.has(target.keyid)) throw new Error('connection reset by peer');
      const n = nodes.find((x) => x.node.keyid === target.keyid)!.node;
      // Like a connection the console closes: an aborted submit rejects at once.
      const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      const r = await Promise.race([n.handle(structuredClone(job)), aborted]);
      const answer = r.ok ? ({ ok: true, result: r.value } as const) : ({ ok: false, status: 400, code: r.code, message: r.message, ...(r.refusal ? { refusal: r.refusal } : {}) } as const);
      return opts.tamper ? opts.tamper(answer) : answer;
    },
  };
}
const revoked = new Set<string>();
const nodeKey = (keyid: string) => (revoked.has(keyid) ? undefined : nodes.find((n) => n.node.keyid === keyid)?.publicKey);
const remoteBackend = (transport: NodeTransport, healthEveryMs = 0) =>
  createRemoteBackend({ nodes: nodes.map((n) => n.remote), transport, consoleKeyid, nodeKey, sign: (msg) => signEd25519(consoleKey.seed, msg), verify: verifyEd25519, clock, healthEveryMs });
const until = async (cond: () => boolean, ms = 5_000) => {
  for (const end = Date.now() + ms; !cond(); ) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('remote backend', () => {
  it('runs on a node, gives the local result, and carries the node\'s verifiable signature', async () => {
    const remote = remoteBackend(memoryTransport());
    const req = request(m.RANDOM_32, { seed: 5n });
    const [far, near] = await Promise.all([remote.run(req), localBackends[0]!.run(req)]);
    if (!far.ok || !near.ok) throw new Error('run failed');
    expect(far.value.outcome).toEqual(near.value.outcome);
    expect(far.value.fuelUsed).toBe(near.value.fuelUsed);
    expect(Buffer.from(far.value.stdout).equals(Buffer.from(near.value.stdout))).toBe(true);
    const att = far.value.attestation!;
    const signer = nodes.find((n) => n.node.keyid === att.nodeKeyid)!;
    expect(verifyEd25519(signer.publicKey, resultSigningBytes(att.statement as never), Buffer.from(att.signature, 'base64'))).toBe(true);
  });

  it('carries preopened files to the node and the final tree back, each file pinned by its digest', async () => {
    const remote = remoteBackend(memoryTransport());
    const preopens = [{ guestPath: '/', entries: [{ path: 'in.txt', kind: 'file' as const, data: new TextEncoder().encode('input') }] }];
    const req = request(m.WRITES_FILE, { capabilities: ['fs.write'], preopens });
    const [far, near] = [await remote.run(req), await localBackends[0]!.run(req)];
    if (!far.ok || !near.ok) throw new Error('run failed');
    expect(far.value.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(far.value.filesystem).toEqual(near.value.filesystem);
    // A node (or a network) that swaps a file's bytes in the result is caught by the signed digest.
    const swapped = memoryTransport({
      tamper: (a) => (a.ok ? { ...a, result: { ...a.result, files: Object.fromEntries(Object.keys(a.result.files ?? {}).map((k) => [k, Buffer.from('evil').toString('base64')])) } } : a),
    });
    const bad = await remoteBackend(swapped).run(req);
    expect(bad.ok && bad.value.outcome.kind === 'crashed' && bad.value.outcome.message).toMatch(/RESULT_MISMATCH.*do not match their signed digest/);
  });

  it('refuses a tampered result (bytes or statement) and records the run as crashed, never as what the node claimed', async () => {
    const flipOutput = memoryTransport({ tamper: (a) => (a.ok ? { ...a, result: { ...a.result, stdout: Buffer.from('forged').toString('base64') } } : a) });
    const r1 = await remoteBackend(flipOutput).run(request(m.HELLO));
    expect(r1.ok && r1.value.outcome.kind).toBe('crashed');
    expect(r1.ok && r1.value.outcome.kind === 'crashed' && r1.value.outcome.message).toMatch(/RESULT_MISMATCH/);
    const betterFuel = memoryTransport({ tamper: (a) => (a.ok ? { ...a, result: { ...a.result, statement: { ...a.result.statement, fuelUsed: 1 } } } : a) });
    const r2 = await remoteBackend(betterFuel).run(request(m.HELLO));
    expect(r2.ok && r2.value.outcome.kind === 'crashed' && r2.value.outcome.message).toMatch(/RESULT_SIGNATURE_INVALID/);
  });

  it('never dispatches to a node whose key was revoked', async () => {
    revoked.add(nodes[0]!.node.keyid);
    try {
      const remote = remoteBackend(memoryTransport());
      for (let i = 0; i < 3; i++) {
        const r = await remote.run(request(m.HELLO));
        expect(r.ok && r.value.attestation?.nodeKeyid).toBe(nodes[1]!.node.keyid);
      }
      revoked.add(nodes[1]!.node.keyid);
      const none = await remote.run(request(m.HELLO));
      expect(none.ok ? 'ran' : none.code).toBe('BUSY');
    } finally {
      revoked.clear();
    }
  });

  it('records a node lost mid-run as crashed, rests it, and sends the next run to the other node', async () => {
    const dead = new Set([nodes[0]!.node.keyid]);
    const remote = remoteBackend(memoryTransport({ dead }));
    const results = [await remote.run(request(m.HELLO)), await remote.run(request(m.HELLO))];
    const kinds = results.map((r) => (r.ok ? r.value.outcome.kind : r.code));
    // Both nodes are idle, so the first pick is node 0, the dead one: its run is recorded as crashed.
    expect(kinds).toEqual(['crashed', 'ok']);
    expect(results[0]!.ok && results[0]!.value.outcome.kind === 'crashed' && results[0]!.value.outcome.message).toMatch(/lost mid-run/);
    expect(results[1]!.ok && results[1]!.value.attestation?.nodeKeyid).toBe(nodes[1]!.node.keyid);
    expect(remote.stats().detail.healthy).toBe(1);
  });
});

describe('remote kill switch and node health', () => {
  it('killAll tells the node to stop the job, and the node\'s run really stops', async () => {
    const remote = remoteBackend(memoryTransport());
    const pending = remote.run(request(m.INFINITE_LOOP, { limits: { fuel: 1e15, wallMs: 60_000 } }));
    const busy = () => localBackends.find((b) => b.stats().running > 0);
    await until(() => busy() !== undefined);
    const local = busy()!;
    const killedBefore = local.stats().killed;
    expect(remote.killAll('operator pressed stop')).toBe(1);
    const r = await pending;
    expect(r.ok && r.value.outcome).toEqual({ kind: 'denied', reason: 'kill switch: operator pressed stop' });
    // Not only abandoned by the console: the node's own backend ended the run, long before its 60 s.
    await until(() => local.stats().running === 0, 3_000);
    expect(local.stats().killed).toBe(killedBefore + 1);
    await until(() => remote.stats().detail.cancelledOnNodes === 1, 1_000);
  });

  it('a node obeys only a cancel order signed by the console that sent the job, for this node', async () => {
    const target = nodes[0]!.node;
    const stranger = generateKeyPair();
    const order = (over: Partial<CancelStatement> = {}, seed = consoleKey.seed) =>
      signCancel({ format: CANCEL_FORMAT, jobId: 'job-x', consoleKeyid, nodeKeyid: target.keyid, reason: 'stop', issuedAt: now.toISOString(), ...over }, (msg) => signEd25519(seed, msg));
    expect(target.cancel(order({}, stranger.seed))).toMatchObject({ ok: false, code: 'CANCEL_INVALID' });
    expect(target.cancel(order({ consoleKeyid: keyIdOf(stranger.publicKey) }, stranger.seed))).toMatchObject({ ok: false, code: 'CANCEL_INVALID' });
    expect(target.cancel(order({ nodeKeyid: nodes[1]!.node.keyid }))).toMatchObject({ ok: false, code: 'CANCEL_INVALID' });
    const honest = order();
    expect(target.cancel({ ...honest, statement: { ...honest.statement, jobId: 'another-job' } })).toMatchObject({ ok: false, code: 'CANCEL_INVALID' });
    expect(target.cancel(honest)).toEqual({ ok: true, value: { stopped: false } }); // nothing of that id runs here
  });

  it('dispatches by what nodes report: a full or unreachable node gets no jobs', async () => {
    const full = nodes[0]!.node.keyid;
    const remote = remoteBackend(
      memoryTransport({
        health: async (target) => {
          if (target.keyid === full) return { ...nodes[0]!.node.health(), capacity: 0 };
          throw new Error('connection refused');
        },
      }),
      20,
    );
    // A few health rounds: one node says it is full, the other does not answer.
    await new Promise((res) => setTimeout(res, 100));
    expect(remote.stats().detail.healthy).toBe(1);
    const r = await remote.run(request(m.HELLO));
    expect(r.ok ? 'ran' : r.code).toBe('BUSY');
    await remote.close();
    // Honest reports: both nodes take jobs again.
    const healthy = remoteBackend(memoryTransport(), 20);
    await new Promise((res) => setTimeout(res, 60));
    expect(healthy.stats()).toMatchObject({ capacity: 2, detail: { healthy: 2 } });
    const ok = await healthy.run(request(m.HELLO));
    expect(ok.ok && ok.value.outcome.kind).toBe('ok');
    await healthy.close();
  });
});

describe('execution node: its own trust store', () => {
  const stranger = testPublisher();
  const refusedReason = (r: Awaited<ReturnType<ReturnType<typeof remoteBackend>['run']>>) =>
    r.ok && r.value.outcome.kind === 'denied' ? r.value.outcome.reason : `not denied: ${JSON.stringify(r.ok ? r.value.outcome : r.code)}`;

  it('refuses, with a signed reason, a module signed by a publisher the node does not trust (whatever the console trusts)', async () => {
    const r = await remoteBackend(memoryTransport()).run(stranger.signed(m.request(m.HELLO)));
    expect(refusedReason(r)).toMatch(/refused the module: .*UNTRUSTED_KEY/);
    // The refusal is the node's word: signed by it, for this job, kept as the run's attestation.
    const att = r.ok ? r.value.attestation! : undefined;
    const signer = nodes.find((n) => n.node.keyid === att?.nodeKeyid)!;
    expect((att?.statement as unknown as { code: string }).code).toBe('MODULE_UNTRUSTED');
    expect(verifyEd25519(signer.publicKey, refusalSigningBytes(att!.statement as never), Buffer.from(att!.signature, 'base64'))).toBe(true);
    expect(verifyAttestation(att!, signer.publicKey, verifyEd25519).ok).toBe(true);
    expect(verifyAttestation(att!, nodes.find((n) => n !== signer)!.publicKey, verifyEd25519).ok).toBe(false);
  });

  it('refuses a module without signature evidence, and one whose bytes are not what the signed manifest pins', async () => {
    const bare = await remoteBackend(memoryTransport()).run(m.request(m.HELLO));
    expect(refusedReason(bare)).toMatch(/no signed module evidence/);
    // A trusted publisher's real signature, moved onto other code: the manifest pins other bytes.
    const swapped = { ...m.request(m.EXIT_3), provenance: request(m.HELLO).provenance! };
    expect(refusedReason(await remoteBackend(memoryTransport()).run(swapped))).toMatch(/DIGEST_MISMATCH/);
    // An envelope edited to sign a different manifest than the one carried.
    const edited = request(m.HELLO);
    const lying = { ...edited, provenance: { ...edited.provenance!, manifest: edited.provenance!.manifest.replace('"1.0.0"', '"9.0.0"') } };
    expect(refusedReason(await remoteBackend(memoryTransport()).run(lying))).toMatch(/SIGNATURE_INVALID/);
  });

  it('does not take a refusal whose signature does not verify: the run is a crash, not the node\'s word', async () => {
    const forgedReason = memoryTransport({
      tamper: (a) => (!a.ok && a.refusal ? { ...a, refusal: { ...a.refusal, statement: { ...a.refusal.statement, message: 'something kinder' } } } : a),
    });
    const r = await remoteBackend(forgedReason).run(stranger.signed(m.request(m.HELLO)));
    expect(r.ok && r.value.outcome.kind).toBe('crashed');
    expect(r.ok && r.value.outcome.kind === 'crashed' && r.value.outcome.message).toMatch(/unsigned, MODULE_UNTRUSTED/);
    expect(r.ok && r.value.attestation).toBeUndefined();
  });
});

describe('execution node: job checks', () => {
  const target = nodes[0]!.node;
  const base = (over: Partial<JobStatement> = {}): JobStatement => ({
    format: JOB_FORMAT,
    jobId: `job-${Math.random()}`,
    consoleKeyid,
    nodeKeyid: target.keyid,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 60_000).toISOString(),
    wasmSha256: m.sha256Hex(m.HELLO),
    stdinSha256: m.sha256Hex(new Uint8Array(0)),
    entry: '_start',
    args: ['hello'],
    env: {},
    seed: '1',
    capabilities: ['stdout', 'stderr', 'exit'],
    limits: { fuel: 1_000_000, memoryPages: 2, wallMs: 2000, outputBytes: 4096 },
    provenance: request(m.HELLO).provenance!,
    ...over,
  });
  const signed = (s: JobStatement, seed = consoleKey.seed, wasm = m.HELLO): SignedJob => signJob(s, (msg) => signEd25519(seed, msg), wasm, new Uint8Array(0));
  const code = async (job: SignedJob) => {
    const r = await target.handle(job);
    return r.ok ? 'ran' : r.code;
  };

  it('runs an honest job once, and refuses the same job replayed', async () => {
    const job = signed(base());
    expect(await code(job)).toBe('ran');
    expect(await code(job)).toBe('JOB_REPLAYED');
  });

  it('refuses forged, untrusted, misdirected, expired, mismatched and malformed jobs', async () => {
    const stranger = generateKeyPair();
    expect(await code(signed(base(), stranger.seed))).toBe('JOB_SIGNATURE_INVALID');
    expect(await code(signed(base({ consoleKeyid: keyIdOf(stranger.publicKey) }), stranger.seed))).toBe('JOB_UNTRUSTED');
    expect(await code(signed(base({ nodeKeyid: nodes[1]!.node.keyid })))).toBe('JOB_WRONG_NODE');
    expect(await code(signed(base({ issuedAt: new Date(now.getTime() - 120_000).toISOString(), expiresAt: new Date(now.getTime() - 60_000).toISOString() })))).toBe('JOB_EXPIRED');
    expect(await code(signed(base({ expiresAt: new Date(now.getTime() + 24 * 3600_000).toISOString() })))).toBe('JOB_INVALID');
    expect(await code(signed(base(), consoleKey.seed, m.EXIT_3))).toBe('JOB_MISMATCH');
    expect(await code(signed(base({ seed: '-1' })))).toBe('JOB_INVALID');
    // A statement changed after signing (a bigger fuel budget) no longer verifies.
    const honest = signed(base());
    expect(await code({ ...honest, statement: { ...honest.statement, limits: { ...honest.statement.limits, fuel: 10 ** 12 } } })).toBe('JOB_SIGNATURE_INVALID');
    expect(await code({ nonsense: true } as unknown as SignedJob)).toBe('JOB_INVALID');
    // The node signs a refusal only for a job it authenticated: a forger gets no signature to reuse.
    const forged = await target.handle(signed(base(), stranger.seed));
    expect(!forged.ok && forged.refusal).toBeUndefined();
    const late = await target.handle(signed(base({ issuedAt: new Date(now.getTime() - 120_000).toISOString(), expiresAt: new Date(now.getTime() - 60_000).toISOString() })));
    expect(!late.ok && late.refusal?.statement.code).toBe('JOB_EXPIRED');
    // Preopened file bytes swapped in transit: the signed digest no longer matches.
    const withFile = signJob(
      base({ preopens: [{ guestPath: '/', entries: [{ path: 'a.txt', kind: 'file', sha256: m.sha256Hex(new TextEncoder().encode('real')) }] }] }),
      (msg) => signEd25519(consoleKey.seed, msg),
      m.HELLO,
      new Uint8Array(0),
      { [m.sha256Hex(new TextEncoder().encode('real'))]: Buffer.from('fake').toString('base64') },
    );
    expect(await code(withFile)).toBe('JOB_MISMATCH');
  });

  it('forgets job ids once they expire, so memory stays bounded, but never accepts them again late', async () => {
    const job = signed(base());
    expect(await code(job)).toBe('ran');
    now = new Date(now.getTime() + 10 * 60_000);
    try {
      expect(await code(job)).toBe('JOB_EXPIRED');
    } finally {
      now = new Date(now.getTime() - 10 * 60_000);
    }
  });
});
