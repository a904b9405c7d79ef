/**
 * The append-only, hash-chained audit log over SQLite (better-sqlite3, raw prepared statements).
 *
 * - Every write runs in a transaction that re-reads the head (one primary-key lookup) before
 *   chaining, so two processes sharing the database (console + CLI) cannot fork the chain. Writes
 *   begin IMMEDIATE, taking the write lock before the head is read. The head is deliberately not
 *   trusted from memory across transactions: a savepoint rolled back by a caller, or another
 *   process, would make it stale, and the lookup costs about a microsecond.
 * - Inside a caller's transaction, append() nests as a savepoint, so it commits or rolls back with
 *   the caller's change. record() wraps a change and its event in one transaction: if the append
 *   fails, the change is undone (fail closed).
 * - Checkpoints signed with the server key are written in the same transaction as the events they
 *   seal: every `checkpointEvery` events, after a security-relevant event, and when the newest one
 *   is older than `checkpointIntervalMs` (see core/audit/checkpoint-policy.ts). A rewrite of the
 *   chain with recomputed hashes behind a checkpoint cannot go unnoticed.
 */
import type Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import {
  prepareInput,
  formatEventTime,
  type AuditEvent,
  type AuditEventInput,
  type AuditInputCode,
  type AuditSink,
  type PreparedInput,
} from '../core/audit/event';
import { GENESIS_HASH } from '../core/audit/event';
import { eventHash } from '../core/audit/hash';
import { signCheckpoint, type AuditCheckpoint, type Ed25519Verify } from '../core/audit/checkpoint';
import { verifyChain, verifyChainSteps, type ChainReport, type EventContentCheck } from '../core/audit/chain';
import { ROTATION_ACTION } from '../core/audit/key-rotation';
import { keyVerification, logOrigin, recordRotation, retiredKeyStatement, type CheckpointKey, type OperatorKey } from './server-keys';
import type { Result } from '../core/result';
import { normalizeFilter, type AuditFilter, type AuditPage, type AuditPageQuery, type NormalizedFilter, type QueryCode } from '../core/audit/query';
import { verifyEd25519Node } from './server-key';
import { AuditTree } from './audit-tree';
import { toHex } from '../core/audit/merkle';
import { signTreeHead } from '../core/audit/checkpoint-note';
import { isOrigin } from '../core/audit/tlog-checkpoint';
import { checkpointDueAfterWrite, DEFAULT_CHECKPOINT_EVERY, DEFAULT_CHECKPOINT_INTERVAL_MS, intervalElapsed } from '../core/audit/checkpoint-policy';

export type { AuditFilter, AuditPage, AuditPageQuery } from '../core/audit/query';

export type { CheckpointKey, OperatorKey } from './server-keys';

/** A key that signs: the server key in use, or the next one during a rotation. */
export type CheckpointSigner = CheckpointKey & { sign(message: Uint8Array): Uint8Array };

export interface AuditLogOptions {
  readonly serverKey: CheckpointSigner;
  readonly now?: () => Date;
  /** write a signed checkpoint every N events (default 1000) */
  readonly checkpointEvery?: number;
  /** and when the newest checkpoint is older than this at an append (default 10 s) */
  readonly checkpointIntervalMs?: number;
  /** Ed25519 verification used for checkpoints (default: node:crypto) */
  readonly verifySignature?: Ed25519Verify;
  /**
   * Server keys the operator vouches for (`audit verify --former-key`), each for its seq range
   * (every seq when none is given): keys the log's own history (server_keys) does not list, such
   * as a key file replaced before rotation existed.
   */
  readonly formerKeys?: readonly OperatorKey[];
  /** the log's name in its signed tree heads (C2SP checkpoint origin); default: the name its newest checkpoint carries, else from the server key id */
  readonly origin?: string;
  /** told how long each append took, in seconds, committed or not (the metrics' append latency) */
  readonly observeAppend?: (seconds: number) => void;
  /** verify also checks each event's content with this (node attestations in decision records) */
  readonly checkContent?: EventContentCheck;
}

/** The default origin: stable for as long as the server key is, and unique per installation. */
export const defaultOrigin = (keyid: string): string => `nightcore/audit/${keyid.slice(0, 16)}`;

export type AuditAppendCode = AuditInputCode | 'INVALID_TIME' | 'SERVER_KEY_RETIRED';

/** Thrown (inside the write transaction, so everything rolls back) when an event cannot be recorded. */
export class AuditAppendError extends Error {
  constructor(
    readonly code: AuditAppendCode,
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'AuditAppendError';
  }
}

export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

const EVENT_COLUMNS = 'seq, time, actor, action, subject, payload, prev_hash AS prevHash, hash';
const CHECKPOINT_COLUMNS = 'seq, hash, time, keyid, signature, root, note';
export { DEFAULT_CHECKPOINT_EVERY, DEFAULT_CHECKPOINT_INTERVAL_MS } from '../core/audit/checkpoint-policy';

export class AuditLog implements AuditSink {
  private readonly now: () => Date;
  private readonly every: number;
  private readonly intervalMs: number;
  private readonly verifySignature: Ed25519Verify;
  /** the key checkpoints are signed with: the server key, until a rotation hands over */
  private signer: CheckpointSigner;
  private readonly tx: Database.Transaction<(fn: () => unknown) => unknown>;
  /** a deferred transaction: only reads, so it takes no write lock, and they all see one snapshot */
  private readonly readTx: <T>(fn: () => T) => T;
  private readonly stmt;
  /** the Merkle tree over the events (proofs, tree heads) */
  readonly tree: AuditTree;
  readonly origin: string;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly options: AuditLogOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.every = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    if (!Number.isSafeInteger(this.every) || this.every < 1) throw new RangeError('checkpointEvery must be a positive integer');
    this.intervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    if (!Number.isSafeInteger(this.intervalMs) || this.intervalMs < 0) throw new RangeError('checkpointIntervalMs must be a non-negative integer');
    this.verifySignature = options.verifySignature ?? verifyEd25519Node;
    this.signer = options.serverKey;
    this.tx = sqlite.transaction((fn: () => unknown) => fn());
    this.readTx = sqlite.transaction((fn: () => unknown) => fn()) as <T>(fn: () => T) => T;
    this.tree = new AuditTree(sqlite);
    this.origin = options.origin ?? logOrigin(sqlite, defaultOrigin(options.serverKey.keyid));
    if (!isOrigin(this.origin)) throw new RangeError(`"${this.origin}" is not a valid checkpoint origin`);
    this.stmt = {
      head: sqlite.prepare<[], AuditHead>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1'),
      insert: sqlite.prepare(
        'INSERT INTO audit_events (seq, time, actor, action, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertCheckpoint: sqlite.prepare('INSERT INTO audit_checkpoints (seq, hash, time, keyid, signature, root, note) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      lastCheckpoint: sqlite.prepare<[], AuditCheckpoint>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`),
      checkpoints: sqlite.prepare<[], AuditCheckpoint>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY seq`),
      checkpointAt: sqlite.prepare<[number], AuditCheckpoint>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE seq = ?`),
      firstTreeHeadFrom: sqlite.prepare<[number], AuditCheckpoint>(
        `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE seq >= ? AND note IS NOT NULL ORDER BY seq LIMIT 1`,
      ),
      eventAt: sqlite.prepare<[number], AuditEvent>(`SELECT ${EVENT_COLUMNS} FROM audit_events WHERE seq = ?`),
      // raw arrays: better-sqlite3 builds JS objects slowly in native code; see EventPages
      pageRaw: sqlite
        .prepare<[number, number], RawEventRow>(`SELECT ${EVENT_COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`)
        .raw(true),
    };
  }

  /** Runs fn in a write transaction, or as a savepoint when the caller already has one open. */
  private inWriteTx<T>(fn: () => T): T {
    return this.tx.immediate(fn) as T;
  }

  /** The newest event's seq and hash; seq 0 and the genesis hash for an empty log. */
  head(): AuditHead {
    return this.stmt.head.get() ?? { seq: 0, hash: GENESIS_HASH };
  }

  append(input: AuditEventInput): AuditEvent {
    const prepared = prepare(input);
    return this.timed(() => this.inWriteTx(() => this.write([prepared])[0]!));
  }

  /** Appends all inputs in one transaction: all of them or none. */
  appendMany(inputs: readonly AuditEventInput[]): AuditEvent[] {
    const prepared = inputs.map(prepare); // validate before taking the write lock
    if (prepared.length === 0) return [];
    return this.timed(() => this.inWriteTx(() => this.write(prepared)));
  }

  private timed<T>(fn: () => T): T {
    const observe = this.options.observeAppend;
    if (!observe) return fn();
    const start = performance.now();
    try {
      return fn();
    } finally {
      observe((performance.now() - start) / 1000);
    }
  }

  /**
   * Runs `change` and appends its audit event in ONE transaction. The event may be computed from
   * the change's result. If the change or the append throws, both are rolled back (fail closed).
   * `change` must be synchronous (better-sqlite3 refuses a promise).
   */
  record<T>(input: AuditEventInput | ((result: T) => AuditEventInput), change: () => T): T {
    const fixed = typeof input === 'function' ? undefined : prepare(input); // a bad event never starts the change
    return this.inWriteTx(() => {
      const result = change();
      this.write([fixed ?? prepare((input as (result: T) => AuditEventInput)(result))]);
      return result;
    });
  }

  /** Writes a signed checkpoint at the current head (unless one is already there). */
  checkpoint(): AuditCheckpoint | undefined {
    return this.inWriteTx(() => {
      const head = this.head();
      if (head.seq === 0) return undefined;
      const last = this.stmt.lastCheckpoint.get();
      if (last && last.seq === head.seq) return last;
      return this.writeCheckpoint(head, this.eventTime());
    });
  }

  latestCheckpoint(): AuditCheckpoint | undefined {
    return this.stmt.lastCheckpoint.get();
  }

  /** The checkpoint at exactly this tree size (seq), if one was written there. */
  checkpointAt(seq: number): AuditCheckpoint | undefined {
    return this.stmt.checkpointAt.get(seq);
  }

  /** The oldest checkpoint with a signed tree head that covers `seq`. */
  treeHeadCovering(seq: number): AuditCheckpoint | undefined {
    return this.stmt.firstTreeHeadFrom.get(seq);
  }

  event(seq: number): AuditEvent | undefined {
    return this.stmt.eventAt.get(seq);
  }

  /**
   * The timer's check (long-running hosts call it every few seconds): checkpoints the head when
   * events are waiting and the newest checkpoint is older than the interval. Reads first, so an
   * idle log never takes the write lock.
   */
  checkpointIfDue(): AuditCheckpoint | undefined {
    const head = this.head();
    const last = this.latestCheckpoint();
    if (head.seq === 0 || (last && last.seq >= head.seq)) return undefined;
    if (last && !intervalElapsed(last.time, this.eventTime(), this.intervalMs)) return undefined;
    return this.checkpoint();
  }

  /**
   * Re-hashes the whole chain and checks every checkpoint signature against the server key(s).
   * Checkpoints are read before events, and everything in one read transaction (one snapshot), so
   * a concurrent append can only add events, never make a checkpoint look like it points past the end.
   */
  verify(onProgress?: (events: number) => void, formerKeys: readonly OperatorKey[] = []): ChainReport {
    return this.readTx(() => {
      const checkpoints = this.stmt.checkpoints.all(); // one row per `checkpointEvery` events
      const keys = this.keyVerification(formerKeys);
      if (keys.problem) return keys.problem;
      return keys.finish(verifyChain(new EventPages(this.stmt.pageRaw), checkpoints, keys.checkpoint, onProgress, keys.content));
    });
  }

  /** The key history as it stands now (a rotation changes it): what verification checks checkpoints against. */
  private keyVerification(formerKeys: readonly OperatorKey[]) {
    return keyVerification(this.sqlite, {
      current: this.signer,
      operator: [...(this.options.formerKeys ?? []), ...formerKeys],
      origin: this.origin,
      verify: this.verifySignature,
      checkContent: this.options.checkContent,
    });
  }

  /**
   * verify() for a server: reads the log in pages, so no statement stays open while it pauses, and
   * awaits `pause` between steps so other requests keep being served and progress reaches the page.
   */
  async verifyAsync(
    onProgress?: (events: number) => void,
    pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
    formerKeys: readonly OperatorKey[] = [],
  ): Promise<ChainReport> {
    const checkpoints = this.stmt.checkpoints.all();
    const keys = this.keyVerification(formerKeys);
    if (keys.problem) return keys.problem;
    const steps = verifyChainSteps(new EventPages(this.stmt.pageRaw), checkpoints, keys.checkpoint, keys.content);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) {
        const report = keys.finish(step.value);
        if (report.ok) onProgress?.(report.events);
        return report;
      }
      onProgress?.(step.value);
      await pause();
    }
  }

  /** A page of events for listings: ascending after `afterSeq`, otherwise newest first. */
  page(query: AuditPageQuery = {}): Result<AuditPage, QueryCode> {
    const filter = normalizeFilter(query);
    if (!filter.ok) return filter;
    const { sql, params } = selectEvents(filter.value, filter.value.ascending);
    const limit = filter.value.limit;
    // One extra row tells whether another page exists without a COUNT over the whole log.
    const rows = this.prepared(`${sql} LIMIT ?`).all(...params, limit + 1) as AuditEvent[];
    const more = rows.length > limit;
    return { ok: true, value: { events: more ? rows.slice(0, limit) : rows, more } };
  }

  private readonly statementCache = new Map<string, Database.Statement>();
  private prepared(sql: string): Database.Statement {
    let s = this.statementCache.get(sql);
    if (!s) this.statementCache.set(sql, (s = this.sqlite.prepare(sql)));
    return s;
  }

  private eventTime(): string {
    const time = formatEventTime(this.now());
    if (!time.ok) throw new AuditAppendError(time.code, time.message);
    return time.value;
  }

  /** Must run inside a write transaction. One clock reading per transaction: its events commit together. */
  private write(inputs: readonly PreparedInput[]): AuditEvent[] {
    const time = this.eventTime();
    let { seq, hash } = this.head();
    const newest = this.stmt.lastCheckpoint.get();
    let last = newest ? { seq: newest.seq, time: newest.time } : undefined;
    const out: AuditEvent[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      seq++;
      const prevHash = hash;
      const { actor, action, subject, payload } = input;
      hash = eventHash({ seq, time, actor, action, subject, payload, prevHash });
      this.stmt.insert.run(seq, time, actor, action, subject, payload, prevHash, hash);
      out[i] = { seq, time, actor, action, subject, payload, prevHash, hash };
      if (seq % this.every === 0) {
        this.writeCheckpoint({ seq, hash }, time);
        last = { seq, time };
      }
    }
    const actions = inputs.map((input) => input.action);
    if (checkpointDueAfterWrite({ last, headSeq: seq, time, actions, intervalMs: this.intervalMs })) this.writeCheckpoint({ seq, hash }, time);
    return out;
  }

  /**
   * Hands the log over to `next` (nightcore server-key rotate), in ONE transaction: the head is
   * sealed by the key in use, the rotation record both keys sign is stored (server_keys) and
   * appended as `server.key_rotated`, and from then on `next` signs (its first checkpoint seals the
   * rotation event). The key in use may sign up to the head, `next` from the rotation event on.
   */
  rotateKey(next: CheckpointSigner, actor: string): { readonly from: string; readonly to: string; readonly seq: number } {
    const from = this.signer;
    return this.inWriteTx(() => {
      const head = this.head();
      const last = this.stmt.lastCheckpoint.get();
      if (head.seq > 0 && (!last || last.seq < head.seq)) this.writeCheckpoint(head, this.eventTime());
      const record = recordRotation(this.sqlite, { from, to: next, head, origin: this.origin, time: this.eventTime() });
      this.signer = next;
      try {
        const [event] = this.write([prepare({ actor, action: ROTATION_ACTION, subject: `key:${next.keyid}`, payload: record as never })]);
        return { from: from.keyid, to: next.keyid, seq: event!.seq };
      } catch (e) {
        this.signer = from; // rolled back: the key in use is still the one that signs
        throw e;
      }
    });
  }

  /** Signs both statements about the head: the chain hash (legacy) and the tree head (C2SP note). */
  private writeCheckpoint(head: AuditHead, time: string): AuditCheckpoint {
    const key = this.signer;
    // Another process (the CLI) may have rotated the key away from this one: never sign with a retired key.
    const retired = retiredKeyStatement(this.sqlite, key.keyid);
    if (retired) throw new AuditAppendError('SERVER_KEY_RETIRED', retired);
    this.tree.extendTo(head.seq);
    const root = this.tree.root(head.seq);
    const note = signTreeHead({ origin: this.origin, size: head.seq, root }, key);
    const cp = { ...signCheckpoint(head, time, key), root: toHex(root), note };
    this.stmt.insertCheckpoint.run(cp.seq, cp.hash, cp.time, cp.keyid, cp.signature, cp.root, cp.note);
    return cp;
  }
}

type RawEventRow = [number, string, string, string, string, string, string, string];

/** Rows per read of the log: one native call per page instead of one per row (a row iterator's cost). */
const PAGE_ROWS = 1000;

/**
 * The log in pages of rows read as arrays and turned into events in JS: better-sqlite3 builds
 * objects slowly in native code, and a hand-written iterator beats a generator here. No statement
 * stays open between pages, so verifyAsync can pause between them.
 */
class EventPages implements IterableIterator<AuditEvent> {
  private rows: RawEventRow[] = [];
  private index = 0;
  /** below every integer: a row a forger inserted at seq 0 or below is read too, and named as a gap */
  private after = -Infinity;
  private last = false;
  constructor(private readonly page: Database.Statement<[number, number], RawEventRow>) {}
  [Symbol.iterator](): this {
    return this;
  }
  next(): IteratorResult<AuditEvent, undefined> {
    if (this.index === this.rows.length) {
      if (this.last) return { done: true, value: undefined };
      this.rows = this.page.all(this.after, PAGE_ROWS);
      this.index = 0;
      this.last = this.rows.length < PAGE_ROWS;
      if (this.rows.length === 0) return { done: true, value: undefined };
      this.after = this.rows[this.rows.length - 1]![0];
    }
    const v = this.rows[this.index++]!;
    return { done: false, value: { seq: v[0], time: v[1], actor: v[2], action: v[3], subject: v[4], payload: v[5], prevHash: v[6], hash: v[7] } };
  }
}

function prepare(input: AuditEventInput): PreparedInput {
  const prepared = prepareInput(input);
  if (!prepared.ok) throw new AuditAppendError(prepared.code, prepared.message, prepared.issues);
  return prepared.value;
}

/** SQL for a validated filter. Values are bound as parameters; only fixed column names are spliced in. */
function selectEvents(f: NormalizedFilter, ascending: boolean): { sql: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, value: string | number | undefined) => {
    if (value === undefined) return;
    where.push(clause);
    params.push(value);
  };
  add('seq > ?', f.afterSeq);
  add('seq < ?', f.beforeSeq);
  add('seq > ?', f.floorSeq);
  add('action = ?', f.action);
  add('actor = ?', f.actor);
  add('subject = ?', f.subject);
  const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  return { sql: `SELECT ${EVENT_COLUMNS} FROM audit_events${clause} ORDER BY seq ${ascending ? 'ASC' : 'DESC'}`, params };
}
