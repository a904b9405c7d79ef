/**
 * A witness on loopback (issue 13): it cosigns a log that only grows, and refuses it once the tail
 * was truncated, history rewritten or a fork shown, also after the witness restarts. The console
 * side checks every cosignature before keeping it.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openMemoryDatabase, type DbHandle } from '../../db/client';
import { AuditLog } from './audit-log';
import { startWitnessServer, createWitness } from './witness-server';
import { WitnessPusher, loadWitnessConfig, type WitnessConfig } from './witness-client';
import { verifierKeyOf } from './audit-proofs';
import { parseVerifierKey, formatVerifierKey } from '../core/audit/signed-note';
import { ALG_COSIGNATURE_V1, addCheckpoint, formatAddCheckpoint, verifyCosignature } from '../core/audit/witness';
import { verifyEd25519 } from '../core/crypto/ed25519';
import { testEd25519Key } from '../core/audit/test-support';

const handles: DbHandle[] = [];
const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  handles.splice(0).forEach((h) => h.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const serverKey = testEd25519Key();
const witnessKey = testEd25519Key();
const witnessIdentity = { name: 'witness.test/w1', publicKey: witnessKey.publicKey, sign: witnessKey.sign };
const witnessVkey = { name: witnessIdentity.name, publicKey: witnessKey.publicKey };

function makeLog() {
  const handle = openMemoryDatabase();
  handles.push(handle);
  const log = new AuditLog(handle.sqlite, { serverKey, checkpointEvery: 100 });
  const key = parseVerifierKey(verifierKeyOf(log, serverKey.publicKey));
  if (!key.ok) throw new Error(key.message);
  return { log, sqlite: handle.sqlite, logKey: key.value };
}

const grow = (log: AuditLog, n: number, tag = 'ok') =>
  log.appendMany(Array.from({ length: n }, (_, i) => ({ actor: 'user:op', action: 'run.decided' as const, subject: `run:${tag}${i}`, payload: { i, tag } })));

async function startWitness(logs: Map<string, { name: string; publicKey: Uint8Array }>, stateDir?: string) {
  const dir = stateDir ?? mkdtempSync(join(tmpdir(), 'nc-witness-'));
  if (!stateDir) dirs.push(dir);
  const server = await startWitnessServer({ host: '127.0.0.1', port: 0, stateFile: join(dir, 'state.json'), logs, identity: witnessIdentity, verify: verifyEd25519 });
  closers.push(server.close);
  return { ...server, dir };
}

/** Truncate the log after `keep` events and grow it back with other events: the attacker with the file. */
function truncateAndRegrow(sqlite: Database.Database, log: AuditLog, keep: number, regrow: number) {
  const triggers = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
  for (const t of triggers) sqlite.exec(`DROP TRIGGER ${t.name}`);
  sqlite.prepare('DELETE FROM audit_events WHERE seq > ?').run(keep);
  sqlite.prepare('DELETE FROM audit_checkpoints WHERE seq > ?').run(keep);
  sqlite.prepare('DELETE FROM audit_tree_nodes').run();
  sqlite.prepare('DELETE FROM audit_cosignatures').run(); // hide what the witness saw, too
  for (const t of triggers) sqlite.exec(t.sql);
  grow(log, regrow, 'forged');
  log.checkpoint();
}

describe('witness on loopback', () => {
  it('cosigns a growing log, proving consistency each time; cosignatures verify with the witness key', async () => {
    const { log, sqlite, logKey } = makeLog();
    const witness = await startWitness(new Map([[logKey.name, logKey]]));
    const pusher = new WitnessPusher(sqlite, log, [{ url: witness.url, key: witnessVkey }], verifyEd25519);
    grow(log, 150);
    log.checkpoint();
    expect(await pusher.pushAll()).toMatchObject([{ ok: true, value: { seq: 150 } }]);
    grow(log, 300);
    log.checkpoint();
    expect(await pusher.pushAll()).toMatchObject([{ ok: true, value: { seq: 450 } }]);
    expect(await pusher.pushAll()).toMatchObject([{ ok: true, value: { seq: 450 } }]); // nothing new: no request needed
    const [stored] = pusher.cosignaturesOf(450);
    expect(verifyCosignature(log.checkpointAt(450)!.note!, stored!.cosignature, witnessVkey, verifyEd25519).ok).toBe(true);
    expect(verifyCosignature(log.checkpointAt(150)!.note!, stored!.cosignature, witnessVkey, verifyEd25519).ok).toBe(false);
  });

  it('detects a truncated and regrown tail, even after the witness restarts and the cosignature records were deleted', async () => {
    const { log, sqlite, logKey } = makeLog();
    const logs = new Map([[logKey.name, logKey]]);
    const first = await startWitness(logs);
    grow(log, 400);
    log.checkpoint();
    const config: WitnessConfig[] = [{ url: first.url, key: witnessVkey }];
    expect((await new WitnessPusher(sqlite, log, config, verifyEd25519).push(config[0]!)).ok).toBe(true);
    await first.close();
    closers.pop();

    truncateAndRegrow(sqlite, log, 250, 300); // size 550 now, but events 251..400 are gone
    const again = await startWitness(logs, first.dir); // the same state file
    const pusher = new WitnessPusher(sqlite, log, [{ url: again.url, key: witnessVkey }], verifyEd25519);
    const result = await pusher.pushAll();
    expect(result).toMatchObject([{ ok: false, code: 'WITNESS_REFUSED' }]);
    expect(!result[0]!.ok && result[0]!.message).toContain('HTTP 422');
    expect(pusher.status(witnessVkey.name)).toMatchObject({ code: 'WITNESS_REFUSED' });
  });

  it('refuses a rewritten history of the same size (a fork) and a rollback to a smaller tree', async () => {
    const { log, sqlite, logKey } = makeLog();
    const witness = await startWitness(new Map([[logKey.name, logKey]]));
    const config: WitnessConfig = { url: witness.url, key: witnessVkey };
    grow(log, 300);
    log.checkpoint();
    expect((await new WitnessPusher(sqlite, log, [config], verifyEd25519).push(config)).ok).toBe(true);
    truncateAndRegrow(sqlite, log, 120, 180); // the same size, 300, with a different history
    expect(log.latestCheckpoint()!.seq).toBe(300);
    const fork = await new WitnessPusher(sqlite, log, [config], verifyEd25519).push(config);
    expect(fork).toMatchObject({ ok: false, code: 'WITNESS_REFUSED' });
    expect(!fork.ok && fork.message).toContain('HTTP 409');

    const { log: small, sqlite: smallDb } = makeLog();
    grow(small, 100); // the same origin and key, a smaller tree: a rollback
    small.checkpoint();
    const rollback = await new WitnessPusher(smallDb, small, [config], verifyEd25519).push(config);
    expect(rollback).toMatchObject({ ok: false, code: 'WITNESS_REFUSED' });
  });

  it('refuses unknown logs, forged checkpoints and malformed requests; a lying 200 is not stored', async () => {
    const { log, sqlite, logKey } = makeLog();
    grow(log, 10);
    log.checkpoint();
    const note = log.latestCheckpoint()!.note!;
    const state = {};
    const only = new Map([[logKey.name, logKey]]);
    expect(addCheckpoint(state, formatAddCheckpoint({ oldSize: 0, proof: [], note }), new Map(), witnessIdentity, verifyEd25519, 1)).toMatchObject({ status: 404 });
    const impostor = testEd25519Key();
    const otherKeyLog = new Map([[logKey.name, { name: logKey.name, publicKey: impostor.publicKey }]]);
    expect(addCheckpoint(state, formatAddCheckpoint({ oldSize: 0, proof: [], note }), otherKeyLog, witnessIdentity, verifyEd25519, 1)).toMatchObject({ status: 403 });
    for (const body of ['', 'old 01\n\n' + note, 'old 0\nnot-base64\n\n' + note, 'old 11\n\n' + note, 'x'.repeat(70_000)]) {
      expect(addCheckpoint(state, body, only, witnessIdentity, verifyEd25519, 1).status).toBe(400);
    }
    expect(addCheckpoint(state, formatAddCheckpoint({ oldSize: 0, proof: [], note }), only, witnessIdentity, verifyEd25519, 1)).toMatchObject({ status: 200 });

    // a "witness" that answers 200 with a signature by some other key
    const liar = async () => new Response(`\u2014 ${witnessVkey.name} ${Buffer.alloc(76, 1).toString('base64')}\n`, { status: 200 });
    const pusher = new WitnessPusher(sqlite, log, [{ url: 'http://127.0.0.1:9', key: witnessVkey }], verifyEd25519, liar);
    expect(await pusher.pushAll()).toMatchObject([{ ok: false, code: 'COSIGNATURE_INVALID' }]);
    expect(pusher.cosignaturesOf(10)).toEqual([]);
    // and an unreachable one is reported as such
    const down = new WitnessPusher(sqlite, log, [{ url: 'http://127.0.0.1:9', key: witnessVkey }], verifyEd25519, async () => {
      throw new Error('connect ECONNREFUSED');
    });
    expect(await down.pushAll()).toMatchObject([{ ok: false, code: 'WITNESS_UNREACHABLE' }]);
  });

  it('the state file is written before a cosignature leaves; an unknown state file stops the witness', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-witness-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'state.json'), '{"something":"else"}');
    expect(() => createWitness({ stateFile: join(dir, 'state.json'), logs: new Map(), identity: witnessIdentity, verify: verifyEd25519 })).toThrow(/refusing to start/);
  });

  it('witnesses.json is validated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-wcfg-'));
    dirs.push(dir);
    expect(loadWitnessConfig(dir)).toEqual({ ok: true, value: [] });
    const vkey = formatVerifierKey(witnessVkey, ALG_COSIGNATURE_V1);
    writeFileSync(join(dir, 'witnesses.json'), JSON.stringify([{ url: 'http://127.0.0.1:7001/', key: vkey }]));
    expect(loadWitnessConfig(dir)).toMatchObject({ ok: true, value: [{ url: 'http://127.0.0.1:7001', key: { name: witnessVkey.name } }] });
    writeFileSync(join(dir, 'witnesses.json'), JSON.stringify([{ url: 'ftp://x', key: vkey }]));
    expect(loadWitnessConfig(dir)).toMatchObject({ ok: false, code: 'WITNESS_CONFIG_INVALID' });
    writeFileSync(join(dir, 'witnesses.json'), JSON.stringify([{ url: 'http://x', key: formatVerifierKey(witnessVkey) }])); // a log key, not a witness key
    expect(loadWitnessConfig(dir)).toMatchObject({ ok: false, code: 'WITNESS_CONFIG_INVALID' });
  });
});

