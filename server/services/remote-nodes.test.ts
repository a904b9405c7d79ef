/**
 * The remote backend end to end, over HTTP on loopback: a console (real services, backend `remote`)
 * and two execution nodes. Honest runs carry the node's signature in the decision record; a node
 * that is not a trusted `node` key stops the start; a node killed mid-run (a real `nightcore node`
 * process, SIGKILLed) yields a recorded `crashed` decision, never a lost run.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, signEd25519, verifyEd25519 } from '../core/crypto/ed25519';
import { encodePrivateKeyFile, encodePublicKeyFile, keyIdOf } from '../core/crypto/keys';
import { createWorkerThreadsBackend } from '../core/sandbox/worker-threads';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';
import { createExecutionNode } from '../core/sandbox/remote';
import { resultSigningBytes, verifyAttestation } from '../core/sandbox/remote/protocol';
import { HELLO, INFINITE_LOOP, variant } from '../core/sandbox/test-modules';
import { startNodeServer, type NodeServer } from './node-http';
import { verifyWithProgress } from './audit-stream';
import { openHarness } from './test-fixtures';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function inProcessNode(consolePublicKey: Uint8Array, publisher: { keyid: string; publicKey: Uint8Array }) {
  const key = generateKeyPair();
  const backend = createWorkerThreadsBackend({ size: 1, workerUrl: DEFAULT_WORKER_URL });
  const node = createExecutionNode({
    seed: key.seed,
    publicKey: key.publicKey,
    consoles: (id) => (id === keyIdOf(consolePublicKey) ? consolePublicKey : undefined),
    publishers: (id) => (id === publisher.keyid ? { ...publisher, name: 'publisher', role: 'publisher', status: 'active', revokedAt: null } : undefined),
    backend,
    clock: () => new Date(),
    sign: signEd25519,
    verify: verifyEd25519,
  });
  const server: NodeServer = await startNodeServer(node, { host: '127.0.0.1', port: 0 });
  cleanups.push(() => server.close(), () => backend.close());
  return { keyid: node.keyid, publicKey: key.publicKey, url: server.url, backend };
}

describe('remote backend over HTTP on loopback', () => {
  it('runs on a registered node; the decision record carries the node signature, which verifies', async () => {
    const nodes: { keyid: string; url: string }[] = [];
    const h = openHarness({ backend: 'remote', nodes });
    cleanups.push(() => h.services.close());
    const a = await inProcessNode(h.services.serverKey.publicKey, h.publisher);
    const b = await inProcessNode(h.services.serverKey.publicKey, h.publisher);
    nodes.push({ keyid: a.keyid, url: a.url }, { keyid: b.keyid, url: b.url });
    for (const n of [a, b]) expect(h.services.trust.add({ publicKey: n.publicKey, role: 'node', name: `node ${n.url}` }, 'test:admin').ok).toBe(true);

    const module = h.install(variant(HELLO, 'far'), { name: 'far', capabilities: ['stdout', 'stderr', 'exit'] });
    const r = await h.services.governor.run(module, { seed: 3n }, 'test:operator');
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    expect(Buffer.from(r.value.stdout).toString()).toBe('hello, world\n');
    const backend = r.value.record.backend!;
    expect(backend.kind).toBe('remote');
    const att = backend.attestation!;
    const signer = [a, b].find((n) => n.keyid === att.nodeKeyid)!;
    expect(verifyEd25519(signer.publicKey, resultSigningBytes(att.statement as never), Buffer.from(att.signature, 'base64'))).toBe(true);
    const replay = await h.services.governor.replay(r.value.record.runId, 'test:operator');
    expect(replay.ok && replay.value.identical).toBe(true);
  });

  it('records the node\'s signed refusal of a module signed by a publisher only the console trusts', async () => {
    const nodes: { keyid: string; url: string }[] = [];
    const h = openHarness({ backend: 'remote', nodes });
    cleanups.push(() => h.services.close());
    const a = await inProcessNode(h.services.serverKey.publicKey, h.publisher);
    nodes.push({ keyid: a.keyid, url: a.url });
    expect(h.services.trust.add({ publicKey: a.publicKey, role: 'node', name: 'node a' }, 'test:admin').ok).toBe(true);
    const other = generateKeyPair();
    expect(h.services.trust.add({ publicKey: other.publicKey, role: 'publisher', name: 'console-only publisher' }, 'test:admin').ok).toBe(true);

    const module = h.install(variant(HELLO, 'console-only'), { name: 'console-only', capabilities: ['stdout', 'stderr', 'exit'] }, other);
    const r = await h.services.governor.run(module, {}, 'test:operator');
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    expect(r.value.record.decision).toBe('deny');
    const outcome = r.value.record.execution?.outcome;
    expect(outcome?.kind === 'denied' && outcome.reason).toMatch(/refused the module: .*UNTRUSTED_KEY/);
    const att = r.value.record.backend!.attestation!;
    expect((att.statement as { format: string; code: string }).code).toBe('MODULE_UNTRUSTED');
    expect(verifyAttestation(att, a.publicKey, verifyEd25519).ok).toBe(true);
  });

  it('audit verify and replay check the node attestation: a tampered signature or an edited record fails', async () => {
    const nodes: { keyid: string; url: string }[] = [];
    const h = openHarness({ backend: 'remote', nodes });
    cleanups.push(() => h.services.close());
    const a = await inProcessNode(h.services.serverKey.publicKey, h.publisher);
    nodes.push({ keyid: a.keyid, url: a.url });
    expect(h.services.trust.add({ publicKey: a.publicKey, role: 'node', name: 'node a' }, 'test:admin').ok).toBe(true);
    const module = h.install(variant(HELLO, 'attested'), { name: 'attested', capabilities: ['stdout', 'stderr', 'exit'] });
    const r = await h.services.governor.run(module, { seed: 9n }, 'test:operator');
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    const record = r.value.record;
    expect(h.services.audit.verify()).toMatchObject({ ok: true });
    const replay = await h.services.governor.replay(record.runId, 'test:operator');
    expect(replay.ok && replay.value).toMatchObject({ identical: true, attestation: 'verified' });

    // A key revoked after the run still vouches for what it signed before.
    expect(h.services.trust.revoke(a.keyid, 'rotated', 'test:admin').ok).toBe(true);
    expect(h.services.audit.verify()).toMatchObject({ ok: true });

    // Someone who can write the log appends (or rebuilds the chain with) records the node never signed:
    // the chain hashes, but the node attestation does not verify.
    const att = record.backend!.attestation!;
    const sig = Buffer.from(att.signature, 'base64');
    sig[10] = sig[10]! ^ 1;
    const seqOf = (payload: object) => h.services.audit.append({ actor: 'attacker', action: 'run.decided', subject: `run:${record.runId}`, payload: payload as never }).seq;
    const flipped = seqOf({ ...record, backend: { kind: 'remote', attestation: { ...att, signature: sig.toString('base64') } } });
    expect(h.services.audit.verify()).toMatchObject({ ok: false, code: 'ATTESTATION_INVALID', seq: flipped });
    // What `nightcore audit verify` and the console's Audit page run:
    const line = await verifyWithProgress(h.services.audit, 'test:auditor', () => {});
    expect(line).toMatchObject({ ok: false, code: 'ATTESTATION_INVALID', seq: flipped });
    expect(!line.ok && line.message).toMatch(/signature of node .* does not verify/);

    // Replay compares against nothing unverified: a stored record with a broken node signature, or
    // one edited to claim other fuel than the node signed, is refused before anything runs.
    // (The run row names its run.decided event; the attacker points it at a record they appended.)
    const setRecord = (seq: number) => h.services.handle.sqlite.prepare('UPDATE runs SET audit_seq = ? WHERE id = ?').run(seq, record.runId);
    setRecord(flipped);
    const bad = await h.services.governor.replay(record.runId, 'test:operator');
    expect(bad.ok ? 'replayed' : `${bad.code}: ${bad.message}`).toMatch(/^ATTESTATION_INVALID: .*does not verify/);
    setRecord(seqOf({ ...record, execution: { ...record.execution!, used: { ...record.execution!.used, fuel: 1 } } }));
    const edited = await h.services.governor.replay(record.runId, 'test:operator');
    expect(edited.ok ? 'replayed' : `${edited.code}: ${edited.message}`).toMatch(/^ATTESTATION_INVALID: .*fuel differ from what node/);
  });

  it('the kill switch reaches the node over HTTP: the node\'s own run stops', async () => {
    const nodes: { keyid: string; url: string }[] = [];
    const h = openHarness({ backend: 'remote', nodes });
    cleanups.push(() => h.services.close());
    const a = await inProcessNode(h.services.serverKey.publicKey, h.publisher);
    nodes.push({ keyid: a.keyid, url: a.url });
    expect(h.services.trust.add({ publicKey: a.publicKey, role: 'node', name: 'node a' }, 'test:admin').ok).toBe(true);
    const module = h.install(variant(INFINITE_LOOP, 'runaway'), { name: 'runaway', capabilities: [], limits: { fuel: 1e15, wallMs: 60_000 } });
    const pending = h.services.governor.run(module, {}, 'test:operator');
    for (let i = 0; i < 500 && a.backend.stats().running === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(a.backend.stats().running).toBe(1);
    expect(h.services.backend().killAll('incident 42')).toBe(1);
    const r = await pending;
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    expect(r.value.record.execution?.outcome).toEqual({ kind: 'denied', reason: 'kill switch: incident 42' });
    for (let i = 0; i < 300 && a.backend.stats().running > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(a.backend.stats()).toMatchObject({ running: 0, killed: 1 });
  });

  it('refuses to start with a node that is not an active trust-store key of role node', async () => {
    const h = openHarness({ backend: 'remote', nodes: [{ keyid: 'a'.repeat(64), url: 'http://127.0.0.1:9' }] });
    cleanups.push(() => h.services.close());
    expect(() => h.services.backend()).toThrow(/not an active trust-store key of role node/);
  });

  it('records a run as crashed when its node is killed mid-run', async () => {
    const nodes: { keyid: string; url: string }[] = [];
    const h = openHarness({ backend: 'remote', nodes });
    cleanups.push(() => h.services.close());
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-node-'));
    const key = generateKeyPair();
    writeFileSync(join(dir, 'node.key'), encodePrivateKeyFile(key), { mode: 0o600 });
    writeFileSync(join(dir, 'console.pub'), encodePublicKeyFile(h.services.serverKey.publicKey));
    writeFileSync(join(dir, 'publisher.pub'), encodePublicKeyFile(h.publisher.publicKey));
    const child = spawn(process.execPath, ['bin/nightcore.mjs', 'node', '--listen', '127.0.0.1:0', '--key', join(dir, 'node.key'), '--console-key', join(dir, 'console.pub'), '--publisher-key', join(dir, 'publisher.pub'), '--backend', 'worker-threads', '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => void child.kill('SIGKILL'));
    const started = await new Promise<{ keyid: string; url: string }>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (c: Buffer) => {
        text += c.toString();
        try {
          resolve(JSON.parse(text));
        } catch {
          /* not complete yet */
        }
      });
      child.on('exit', (code) => reject(new Error(`node exited early (${code})`)));
    });
    nodes.push({ keyid: started.keyid, url: started.url });
    expect(h.services.trust.add({ publicKey: key.publicKey, role: 'node', name: 'doomed node' }, 'test:admin').ok).toBe(true);

    const module = h.install(variant(INFINITE_LOOP, 'doomed'), { name: 'doomed', capabilities: [], limits: { fuel: 1e15, wallMs: 60_000 } });
    const pending = h.services.governor.run(module, {}, 'test:operator');
    for (let i = 0; i < 500 && h.services.backend().stats().running === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200)); // the job has reached the node and is running there
    child.kill('SIGKILL');
    const r = await pending;
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    expect(r.value.record.execution?.outcome.kind).toBe('crashed');
    expect(r.value.record.decision).toBe('deny');
    const stored = h.services.handle.sqlite.prepare('SELECT outcome FROM runs WHERE id = ?').get(r.value.record.runId);
    expect(stored).toEqual({ outcome: 'crashed' });
  });
});
