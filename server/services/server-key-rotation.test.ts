/**
 * Server key rotation: the new key signs from the handover on, the former key's checkpoints keep
 * verifying for its period, and nothing else verifies: a key nobody handed over to, a former key
 * used after its retirement, a history edited by hand, a console still holding the retired key.
 * A rotation cut off half-way is finished or undone when the folder opens; backups follow.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServices, type Services } from './index';
import { AuditLog, AuditAppendError } from './audit-log';
import { SERVER_KEY_FILE, createKeyFile, loadServerKeyFile, verifyEd25519Node, type ServerKey } from './server-key';
import { NEXT_KEY_FILE, finishInterruptedRotation, rotateServerKey } from './server-key-rotation';
import { keyRows, parseOperatorKey } from './server-keys';
import { createBackup, restoreBackup } from './backup';
import { upgradeDataFolder } from './upgrade';
import { loadMigrations } from '../../db/migrate';
import { signCheckpoint } from '../core/audit/checkpoint';
import { signTreeHead } from '../core/audit/checkpoint-note';
import { openRotation } from '../core/audit/key-rotation';
import { testEd25519Key } from '../core/audit/test-support';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';

const opened: Services[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `nightcore-${name}-`));
const open = (dataDir: string) => {
  const s = openServices({ dataDir, poolSize: 1, workerUrl: DEFAULT_WORKER_URL });
  opened.push(s);
  return s;
};
const close = async (s: Services) => {
  opened.splice(opened.indexOf(s), 1);
  await s.close();
};
const fill = (s: Services, n: number, tag = 'fill') =>
  s.audit.appendMany(Array.from({ length: n }, (_, i) => ({ actor: 'test:filler', action: 'audit.verified' as const, subject: `${tag}:${i}`, payload: {} })));
const keyOf = (dataDir: string) => loadServerKeyFile(join(dataDir, SERVER_KEY_FILE));
const checkpoints = (s: Services) => s.handle.sqlite.prepare<[], { seq: number; keyid: string }>('SELECT seq, keyid FROM audit_checkpoints ORDER BY seq').all();

/** A folder whose key was rotated once, with events before and after; `former` is the old key, kept by the test only. */
async function rotated(): Promise<{ dir: string; s: Services; former: ServerKey; seq: number }> {
  const dir = tmp('rotation');
  const first = open(dir);
  const former = keyOf(dir); // the test keeps a copy, as a thief of the old key file would
  fill(first, 30, 'before');
  const report = rotateServerKey(first.audit, dir, 'test:admin', new Date());
  fill(first, 30, 'after');
  first.audit.checkpoint();
  await close(first);
  return { dir, s: open(dir), former, seq: report.seq };
}

/** What a thief with the former key file and write access to the database could add: a checkpoint at the head, properly signed. */
function forgeCheckpoint(s: Services, key: { keyid: string; publicKey: Uint8Array; sign(m: Uint8Array): Uint8Array }) {
  s.audit.append({ actor: 'test:thief', action: 'audit.verified', subject: 'forged', payload: {} });
  const head = s.audit.head();
  const root = s.audit.tree.root(head.seq);
  const cp = { ...signCheckpoint(head, new Date().toISOString(), key), root: Buffer.from(root).toString('hex'), note: signTreeHead({ origin: s.audit.origin, size: head.seq, root }, key) };
  s.handle.sqlite.prepare('INSERT INTO audit_checkpoints (seq, hash, time, keyid, signature, root, note) VALUES (?, ?, ?, ?, ?, ?, ?)').run(cp.seq, cp.hash, cp.time, cp.keyid, cp.signature, cp.root, cp.note);
  return head.seq;
}

describe('server key rotation', () => {
  it('the new key signs from the handover on; the former key\'s checkpoints still verify, for its period only', async () => {
    const { dir, s, former, seq } = await rotated();
    expect(s.serverKey.keyid).not.toBe(former.keyid);
    expect(existsSync(join(dir, NEXT_KEY_FILE))).toBe(false);
    const rows = keyRows(s.handle.sqlite);
    expect(rows.map((r) => [r.keyid, r.from_seq, r.until_seq])).toEqual([
      [former.keyid, 1, seq - 1],
      [s.serverKey.keyid, seq, null],
    ]);
    for (const cp of checkpoints(s)) expect(cp.keyid, `checkpoint at ${cp.seq}`).toBe(cp.seq < seq ? former.keyid : s.serverKey.keyid);
    // The former key sealed everything before the handover; the new key sealed the rotation event itself.
    expect(checkpoints(s).map((c) => c.seq)).toEqual(expect.arrayContaining([seq - 1, seq]));
    const report = s.audit.verify();
    expect(report).toMatchObject({ ok: true, uncheckpointed: 0 });
    // The handover is in the log, signed by both keys, naming the chain hash it vouches for.
    const event = s.handle.sqlite.prepare<[number], { action: string; payload: string; prev_hash: string }>('SELECT action, payload, prev_hash FROM audit_events WHERE seq = ?').get(seq)!;
    expect(event.action).toBe('server.key_rotated');
    const opened = openRotation(JSON.parse(event.payload), former.publicKey, verifyEd25519Node);
    expect(opened.ok && opened.value.statement).toMatchObject({ from: former.keyid, to: s.serverKey.keyid, seq: seq - 1, hash: event.prev_hash, origin: s.audit.origin });
  });

  it('keeps the log\'s name: tree heads signed by the new key carry the same origin', async () => {
    const { s, former } = await rotated();
    expect(s.audit.origin).toBe(`nightcore/audit/${former.keyid.slice(0, 16)}`);
  });

  it('refuses a checkpoint signed by a key nobody handed over to', async () => {
    const { s } = await rotated();
    const seq = forgeCheckpoint(s, testEd25519Key());
    expect(s.audit.verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID', seq, message: expect.stringMatching(/not a server key/) });
  });

  it('refuses a checkpoint the former key signed after its retirement, however good the signature', async () => {
    const { s, former, seq: rotatedAt } = await rotated();
    const seq = forgeCheckpoint(s, former);
    const report = s.audit.verify();
    expect(report).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID', seq });
    expect(!report.ok && report.message).toContain(`may sign only seq 1 to ${rotatedAt - 1}`);
  });

  it('a console still holding the retired key refuses to sign with it, and its write rolls back', async () => {
    const dir = tmp('stale-console');
    const consoleSide = open(dir);
    fill(consoleSide, 5);
    const cli = openServices({ dataDir: dir, poolSize: 1, workerUrl: DEFAULT_WORKER_URL });
    rotateServerKey(cli.audit, dir, 'test:admin', new Date());
    await cli.close();
    const head = consoleSide.audit.head().seq;
    // A security-relevant event is sealed at once: that checkpoint would need the retired key.
    expect(() => consoleSide.audit.append({ actor: 'test:admin', action: 'key.revoked', subject: 'key:x', payload: {} })).toThrow(AuditAppendError);
    expect(consoleSide.audit.head().seq).toBe(head);
    expect(open(dir).audit.verify()).toMatchObject({ ok: true });
  });

  it('refuses a history edited by hand: a period moved, or a key added without a signed rotation', async () => {
    const { dir, s, former, seq } = await rotated();
    expect(() => s.handle.sqlite.prepare('UPDATE server_keys SET until_seq = 999 WHERE keyid = ?').run(former.keyid)).toThrow(/only changes when it is retired, once/);
    expect(() => s.handle.sqlite.prepare('DELETE FROM server_keys').run()).toThrow(/DELETE refused/);
    // Someone who drops the triggers: the signed rotation in the log no longer matches the history.
    s.handle.sqlite.exec('DROP TRIGGER server_keys_retire_once');
    s.handle.sqlite.prepare('UPDATE server_keys SET until_seq = ? WHERE keyid = ?').run(seq + 5, former.keyid);
    expect(s.audit.verify()).toMatchObject({ ok: false, code: 'KEY_HISTORY_INVALID' });
    s.handle.sqlite.prepare('UPDATE server_keys SET until_seq = ? WHERE keyid = ?').run(seq - 1, former.keyid);
    expect(s.audit.verify()).toMatchObject({ ok: true });
    await close(s);

    // A second row for a key of one's own, with no rotation both keys signed.
    const again = open(dir);
    const intruder = testEd25519Key();
    again.handle.sqlite.exec('DROP TRIGGER IF EXISTS server_keys_retire_once');
    again.handle.sqlite.prepare('UPDATE server_keys SET until_seq = ?, retired_at = ? WHERE until_seq IS NULL').run(again.audit.head().seq, new Date().toISOString());
    again.handle.sqlite.prepare('INSERT INTO server_keys (keyid, public_key, from_seq) VALUES (?, ?, ?)').run(intruder.keyid, Buffer.from(intruder.publicKey).toString('base64'), again.audit.head().seq + 1);
    expect(again.audit.verify()).toMatchObject({ ok: false, code: 'KEY_HISTORY_INVALID' });
  });

  it('a key file replaced without a rotation is named, not silently trusted', async () => {
    const { dir, s } = await rotated();
    await close(s);
    rmSync(join(dir, SERVER_KEY_FILE));
    const replaced = open(dir); // creates a fresh key the history never heard of
    const report = replaced.audit.verify();
    expect(report).toMatchObject({ ok: false, code: 'KEY_HISTORY_INVALID', message: expect.stringMatching(/replaced without a rotation/) });
  });

  it('refuses to hand over to a key that was a server key of this log before', async () => {
    const { dir, s, former } = await rotated();
    expect(() => s.audit.rotateKey(former, 'test:admin')).toThrow(/one period/);
    expect(existsSync(join(dir, NEXT_KEY_FILE))).toBe(false);
    expect(s.audit.verify()).toMatchObject({ ok: true });
  });

  it('rotates twice: each key verifies for its own period', async () => {
    const { dir, s } = await rotated();
    const second = rotateServerKey(s.audit, dir, 'test:admin', new Date());
    fill(s, 10, 'third');
    s.audit.checkpoint();
    expect(keyRows(s.handle.sqlite).map((r) => r.until_seq)).toEqual([expect.any(Number), second.seq - 1, null]);
    expect(s.audit.verify()).toMatchObject({ ok: true });
  });
});

describe('a rotation cut off half-way', () => {
  it('after its commit, before the key file was replaced: finished when the folder opens', async () => {
    const dir = tmp('cut-after');
    const s = open(dir);
    fill(s, 5);
    createKeyFile(join(dir, NEXT_KEY_FILE), new Date());
    const next = loadServerKeyFile(join(dir, NEXT_KEY_FILE));
    s.audit.rotateKey(next, 'test:admin'); // committed; the process "dies" before the rename
    await close(s);
    const reopened = open(dir);
    expect(reopened.serverKey.keyid).toBe(next.keyid);
    expect(existsSync(join(dir, NEXT_KEY_FILE))).toBe(false);
    expect(reopened.audit.verify()).toMatchObject({ ok: true });
  });

  it('after its commit: an upgrade before the next open checks the chain with the key the log handed over to', async () => {
    const dir = tmp('cut-upgrade');
    const s = open(dir);
    fill(s, 5);
    createKeyFile(join(dir, NEXT_KEY_FILE), new Date());
    s.audit.rotateKey(loadServerKeyFile(join(dir, NEXT_KEY_FILE)), 'test:admin');
    await close(s);
    const probe = { idx: 9_000, tag: '9000_probe', when: 9_000_000_000_000, hash: 'probe', statements: ['CREATE TABLE rotation_probe (id INTEGER PRIMARY KEY)'] };
    const report = await upgradeDataFolder(dir, { migrations: [...loadMigrations(), probe] });
    expect(report).toMatchObject({ to: '9000_probe' });
  });

  it('before its commit: the unused key is deleted and the old key stays', async () => {
    const dir = tmp('cut-before');
    const s = open(dir);
    const old = s.serverKey.keyid;
    await close(s);
    createKeyFile(join(dir, NEXT_KEY_FILE), new Date());
    const reopened = open(dir);
    expect(reopened.serverKey.keyid).toBe(old);
    expect(existsSync(join(dir, NEXT_KEY_FILE))).toBe(false);
    expect(finishInterruptedRotation(dir, reopened.handle.sqlite)).toBeUndefined();
  });

  it('a torn next-key file (the crash came while writing it) is deleted', async () => {
    const dir = tmp('cut-torn');
    const s = open(dir);
    writeFileSync(join(dir, NEXT_KEY_FILE), '{"type":"nightcore.server-key/v1","keyid":"ab', { mode: 0o600 });
    expect(finishInterruptedRotation(dir, s.handle.sqlite)).toBe('discarded');
    expect(existsSync(join(dir, NEXT_KEY_FILE))).toBe(false);
  });
});

describe('former keys given by the operator (audit verify --former-key)', () => {
  it('a key file replaced before rotation existed: its checkpoints count for the period given, not after', async () => {
    const dir = tmp('operator');
    const s = open(dir);
    fill(s, 20);
    s.audit.checkpoint();
    const lastOld = s.audit.head().seq;
    await close(s);
    const old = readFileSync(join(dir, SERVER_KEY_FILE), 'utf8');
    const oldKey = loadServerKeyFile(join(dir, SERVER_KEY_FILE));
    rmSync(join(dir, SERVER_KEY_FILE));
    const replaced = open(dir);
    fill(replaced, 5);
    replaced.audit.checkpoint();
    expect(replaced.audit.verify()).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID', message: expect.stringMatching(/not a server key/) });
    const pub = join(tmp('pub'), 'old.pub');
    writeFileSync(pub, `${JSON.parse(old).publicKey as string}\n`);
    const read = (file: string) => {
      const text = readFileSync(file, 'utf8').trim();
      return { ok: true as const, value: new Uint8Array(Buffer.from(text, 'base64')) };
    };
    const whole = parseOperatorKey(`${pub}@1..${lastOld}`, read);
    expect(whole.ok && replaced.audit.verify(undefined, [whole.value])).toMatchObject({ ok: true });
    const tooShort = parseOperatorKey(`${pub}@..${lastOld - 1}`, read);
    expect(tooShort.ok && replaced.audit.verify(undefined, [tooShort.value])).toMatchObject({ ok: false, code: 'CHECKPOINT_SIGNATURE_INVALID', seq: lastOld });
    expect(parseOperatorKey(`${pub}`, read)).toMatchObject({ ok: true, value: { keyid: oldKey.keyid } });
    expect(parseOperatorKey(`${pub}@5..3`, read)).toMatchObject({ ok: false, code: 'FORMER_KEY_INVALID' });
    expect(parseOperatorKey(`${pub}@..`, read)).toMatchObject({ ok: false, code: 'FORMER_KEY_INVALID' });
  });
});

describe('backups across a rotation', () => {
  it('a backup made after the rotation restores into a new folder and verifies with its key history', async () => {
    const { dir, s } = await rotated();
    const file = join(tmp('bak'), 'after.ncbak');
    s.audit.checkpoint();
    await createBackup(s.handle.sqlite, dir, s.serverKey, file, { withSecrets: true, now: new Date() });
    const target = tmp('restore-after');
    const restored = await restoreBackup(file, target, new Date());
    expect(restored).toMatchObject({ ok: true, value: { keyFrom: 'the backup', keyid: s.serverKey.keyid } });
    const t = open(target);
    expect(t.serverKey.keyid).toBe(s.serverKey.keyid);
    expect(t.audit.verify()).toMatchObject({ ok: true });
  });

  it('a backup made before the rotation is refused in the rotated folder, saying why; nothing changes', async () => {
    const dir = tmp('before-rotation');
    const s = open(dir);
    fill(s, 10);
    s.audit.checkpoint();
    const file = join(tmp('bak'), 'before.ncbak');
    await createBackup(s.handle.sqlite, dir, s.serverKey, file, { withSecrets: false, now: new Date() });
    rotateServerKey(s.audit, dir, 'test:admin', new Date());
    await close(s);
    const r = await restoreBackup(file, dir, new Date());
    expect(r).toMatchObject({ ok: false, code: 'KEY_ROTATED', message: expect.stringMatching(/retired at seq \d+/) });
    expect(open(dir).audit.verify()).toMatchObject({ ok: true });
  });
});

it('AuditLog on a database whose key was rotated, opened with the retired key, verifies but never signs', async () => {
  const { s, former } = await rotated();
  const stale = new AuditLog(s.handle.sqlite, { serverKey: former });
  expect(stale.verify()).toMatchObject({ ok: false, code: 'KEY_HISTORY_INVALID', message: expect.stringMatching(/not the log's current key/) });
  expect(() => stale.append({ actor: 'test', action: 'key.added', subject: 'key:y', payload: {} })).toThrow(/was retired at seq/);
});
