/**
 * The key history a database holds (table server_keys, migration 0025) turned into the periods
 * that verification checks checkpoints against (core/audit/key-periods.ts), and the keys an
 * operator adds by hand (`audit verify --former-key FILE[@FROM..UNTIL]`).
 *
 * Before any rotation the table is empty and the data folder's key file is the one key, valid for
 * every seq (as before rotation existed). Once a rotation happened the table is the history, and
 * the key file's key must be its current (open-ended) key.
 */
import type Database from 'better-sqlite3';
import { encodeBase64, keyIdOf } from '../core/crypto/keys';
import { readTreeHead } from '../core/audit/checkpoint-note';
import type { Ed25519Verify } from '../core/audit/ed25519-port';
import type { ChainReport, CheckpointSigCheck, EventContentCheck } from '../core/audit/chain';
import { checkKeyHistory, checkpointCheckFor, type KeyPeriod } from '../core/audit/key-periods';
import { checkRotationEvent, ROTATION_ACTION, ROTATION_FORMAT, signRotation, type TRotationRecord, type TRotationStatement } from '../core/audit/key-rotation';
import { err, ok, type Result } from '../core/result';

type Signer = CheckpointKey & { sign(message: Uint8Array): Uint8Array };

export interface CheckpointKey {
  readonly keyid: string;
  readonly publicKey: Uint8Array;
}

/** A key the operator vouches for, with the seq range it may sign (default: every seq). */
export interface OperatorKey extends CheckpointKey {
  readonly fromSeq?: number;
  readonly untilSeq?: number | null;
}

interface KeyRow {
  keyid: string;
  public_key: string;
  from_seq: number;
  until_seq: number | null;
  valid_from: string | null;
  retired_at: string | null;
  rotation: string | null;
}

const hasTable = (sqlite: Database.Database, name: string) =>
  sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/** The rows of server_keys in seq order ([] before migration 0025 or before any rotation). */
export function keyRows(sqlite: Database.Database): KeyRow[] {
  if (!hasTable(sqlite, 'server_keys')) return [];
  return sqlite.prepare<[], KeyRow>('SELECT keyid, public_key, from_seq, until_seq, valid_from, retired_at, rotation FROM server_keys ORDER BY from_seq').all();
}

/** The history as stored; a row whose key does not hash to its id is not a key of this log. */
export function keyHistory(sqlite: Database.Database): KeyPeriod[] {
  return keyRows(sqlite).map((r) => {
    const publicKey = new Uint8Array(Buffer.from(r.public_key, 'base64'));
    return { keyid: keyIdOf(publicKey) === r.keyid ? r.keyid : `invalid:${r.keyid}`, publicKey, fromSeq: r.from_seq, untilSeq: r.until_seq, source: 'log' as const };
  });
}

/**
 * The periods to verify a log with: its history (or, before any rotation, `current` for every seq)
 * and the operator's keys.
 */
export function keyPeriods(sqlite: Database.Database, current: CheckpointKey | undefined, operator: readonly OperatorKey[] = []): KeyPeriod[] {
  const history = keyHistory(sqlite);
  const own: KeyPeriod[] = history.length > 0 || !current ? history : [{ ...current, fromSeq: 1, untilSeq: null, source: 'key file' }];
  return [...own, ...operator.map((k) => ({ keyid: k.keyid, publicKey: k.publicKey, fromSeq: k.fromSeq ?? 1, untilSeq: k.untilSeq ?? null, source: 'operator' as const }))];
}

/** Once a history exists, the key a folder signs with must be its current key. */
export function currentKeyProblem(history: readonly KeyPeriod[], current: CheckpointKey | undefined): string | undefined {
  if (history.length === 0 || !current) return undefined;
  const open = history.find((p) => p.untilSeq === null);
  if (open?.keyid === current.keyid) return undefined;
  return `this folder's server key ${current.keyid.slice(0, 16)} is not the log's current key${open ? ` (${open.keyid.slice(0, 16)})` : ''}: the key file was replaced without a rotation`;
}

/**
 * The log's name in its signed tree heads: the one its newest checkpoint carries, so a rotated key
 * (or a replaced key file) goes on signing the same log; a new log is named after its first key.
 */
export function logOrigin(sqlite: Database.Database, fallback: string): string {
  const note = hasTable(sqlite, 'audit_checkpoints')
    ? (sqlite.prepare<[], { note: string | null }>('SELECT note FROM audit_checkpoints WHERE note IS NOT NULL ORDER BY seq DESC LIMIT 1').get()?.note ?? null)
    : null;
  const head = note === null ? undefined : readTreeHead(note);
  return head?.ok ? head.value.origin : fallback;
}

/**
 * `FILE.pub@FROM..UNTIL` (either end may be left out: `old.pub@..4000`, `old.pub@4001..`), or
 * just `FILE.pub` for every seq. `readKey` reads the file's public key.
 */
export function parseOperatorKey(spec: string, readKey: (file: string) => { readonly ok: true; readonly value: Uint8Array } | { readonly ok: false; readonly message: string }): Result<OperatorKey, 'FORMER_KEY_INVALID'> {
  const at = spec.lastIndexOf('@');
  const [file, range] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, undefined];
  const key = readKey(file);
  if (!key.ok) return err('FORMER_KEY_INVALID', `--former-key ${file}: ${key.message}`);
  const base = { keyid: keyIdOf(key.value), publicKey: key.value };
  if (range === undefined) return ok(base);
  const m = /^(\d*)\.\.(\d*)$/.exec(range);
  if (!m || (m[1] === '' && m[2] === '')) return err('FORMER_KEY_INVALID', `--former-key ${spec}: the period must be FROM..UNTIL (seq numbers; either may be left out)`);
  const fromSeq = m[1] ? Number(m[1]) : 1;
  const untilSeq = m[2] ? Number(m[2]) : null;
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 1 || (untilSeq !== null && (!Number.isSafeInteger(untilSeq) || untilSeq < fromSeq))) {
    return err('FORMER_KEY_INVALID', `--former-key ${spec}: the period must run from seq 1 or later to a seq at or after its start`);
  }
  return ok({ ...base, fromSeq, untilSeq });
}

/** What verification checks a log's keys with, for one verify run (the history is read once, at its start). */
export interface KeyVerification {
  /** a report to return at once when the history itself does not hold together */
  readonly problem: ChainReport | undefined;
  readonly checkpoint: CheckpointSigCheck;
  /** the caller's content check, plus the check of every `server.key_rotated` event */
  readonly content: EventContentCheck;
  /** after the chain: every rotation the history lists was found, signed, in the log */
  finish(report: ChainReport): ChainReport;
}

export function keyVerification(
  sqlite: Database.Database,
  options: {
    readonly current: CheckpointKey | undefined;
    readonly operator: readonly OperatorKey[];
    readonly origin: string;
    readonly verify: Ed25519Verify;
    readonly checkContent?: EventContentCheck;
  },
): KeyVerification {
  const history = keyHistory(sqlite);
  const periods = keyPeriods(sqlite, options.current, options.operator);
  const failure = (message: string, seq = 0): ChainReport => ({ ok: false, code: 'KEY_HISTORY_INVALID', seq, message, events: 0 });
  const line = checkKeyHistory(periods);
  const problem = !line.ok ? failure(line.message) : history.some((p) => p.keyid.startsWith('invalid:')) ? failure('a server_keys row holds a public key that does not hash to its key id') : undefined;
  const keyProblem = currentKeyProblem(history, options.current);
  let rotations = 0;
  return {
    problem: problem ?? (keyProblem ? failure(keyProblem) : undefined),
    checkpoint: checkpointCheckFor(periods, options.verify),
    content: (event) => {
      if (event.action === ROTATION_ACTION) {
        const bad = checkRotationEvent(event, periods, options.origin, options.verify);
        if (bad) return { code: 'KEY_HISTORY_INVALID', message: bad };
        rotations++;
      }
      return options.checkContent?.(event);
    },
    finish: (report) => {
      const listed = history.filter((p, i) => i > 0).length;
      if (!report.ok || rotations === listed) return report;
      return { ok: false, code: 'KEY_HISTORY_INVALID', seq: report.headSeq, message: `the key history lists ${listed} rotation(s), the log holds ${rotations} signed one(s): a key was added to server_keys by hand`, events: report.events };
    },
  };
}

/** Set while verifying is not: why `keyid` may not sign any more (another process rotated it away), or undefined. */
const retiredStatements = new WeakMap<Database.Database, Database.Statement<[string], { until_seq: number | null }> | null>();
export function retiredKeyStatement(sqlite: Database.Database, keyid: string): string | undefined {
  let stmt = retiredStatements.get(sqlite);
  if (stmt === undefined) {
    stmt = hasTable(sqlite, 'server_keys') ? sqlite.prepare<[string], { until_seq: number | null }>('SELECT until_seq FROM server_keys WHERE keyid = ?') : null;
    retiredStatements.set(sqlite, stmt);
  }
  const row = stmt?.get(keyid);
  if (!row || row.until_seq === null) return undefined;
  return `server key ${keyid.slice(0, 16)} was retired at seq ${row.until_seq} (the key was rotated, perhaps by another process): restart so the new key is loaded`;
}

/**
 * Stores a rotation (inside the caller's write transaction): the first key's row if the history is
 * empty, the key in use retired at the head, the next key from the seq after, and the record both
 * signed. Throws when `from` is not the history's current key or `to` was ever a key of this log.
 */
export function recordRotation(
  sqlite: Database.Database,
  r: { readonly from: Signer; readonly to: Signer; readonly head: { readonly seq: number; readonly hash: string }; readonly origin: string; readonly time: string },
): TRotationRecord {
  const rows = keyRows(sqlite);
  if (rows.length === 0) {
    // The log's first key (or the first since a key file was replaced by hand): from after the last checkpoint another key signed.
    const other = sqlite.prepare<[string], number | null>('SELECT max(seq) FROM audit_checkpoints WHERE keyid != ?').pluck().get(r.from.keyid) ?? 0;
    sqlite.prepare('INSERT INTO server_keys (keyid, public_key, from_seq) VALUES (?, ?, ?)').run(r.from.keyid, encodeBase64(r.from.publicKey), other + 1);
  } else {
    const open = rows.find((row) => row.until_seq === null);
    if (open?.keyid !== r.from.keyid) throw new Error(`server key ${r.from.keyid.slice(0, 16)} is not the log's current key: it cannot hand over`);
  }
  if (rows.some((row) => row.keyid === r.to.keyid)) throw new Error(`key ${r.to.keyid.slice(0, 16)} was a server key of this log before: a key has one period`);
  const statement: TRotationStatement = {
    format: ROTATION_FORMAT,
    origin: r.origin,
    from: r.from.keyid,
    to: r.to.keyid,
    toPublicKey: encodeBase64(r.to.publicKey),
    seq: r.head.seq,
    hash: r.head.hash,
    time: r.time,
  };
  const record = signRotation(statement, (m) => r.from.sign(m), (m) => r.to.sign(m));
  sqlite.prepare('UPDATE server_keys SET until_seq = ?, retired_at = ? WHERE keyid = ?').run(r.head.seq, r.time, r.from.keyid);
  sqlite
    .prepare('INSERT INTO server_keys (keyid, public_key, from_seq, valid_from, rotation) VALUES (?, ?, ?, ?, ?)')
    .run(r.to.keyid, encodeBase64(r.to.publicKey), r.head.seq + 1, r.time, JSON.stringify(record));
  return record;
}
