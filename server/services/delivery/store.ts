/**
 * Destinations and their delivery log in SQLite (tables delivery_destinations, delivery_attempts).
 * Every configuration change is audited in the same transaction as the change; the cursor moves
 * with a compare-and-set, so two processes delivering the same destination never move it back.
 */
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { err, ok, type Result } from '../../core/result';
import { checkName, describeTarget, parseDestinationConfig, type DestinationConfig } from '../../core/delivery/destination';
import type { AttemptRecord, DestinationKind, DestinationState } from '../../core/delivery/types';
import type { AuditLog } from '../audit-log';

/** Attempts kept per destination; older rows are pruned as new ones arrive. */
export const ATTEMPTS_KEPT = 2_000;

export interface Destination extends DestinationState {
  readonly name: string;
  readonly spec: DestinationConfig;
  /** where it sends, for people (no secret) */
  readonly target: string;
  readonly enabled: boolean;
  readonly lastSuccessAt: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AttemptRow extends AttemptRecord {
  readonly id: number;
}

export type StoreCode = 'INVALID_DESTINATION' | 'NAME_TAKEN' | 'NOT_FOUND';

interface RawDestination {
  id: string; name: string; kind: DestinationKind; config: string; enabled: number; cursor: number; failures: number; nextAttemptAt: number | null;
  lastSuccessAt: number | null; lastError: string | null; lastErrorAt: number | null; createdBy: string; createdAt: number; updatedAt: number;
}

const COLUMNS = `id, name, kind, config, enabled, cursor, failures, next_attempt_at AS nextAttemptAt, last_success_at AS lastSuccessAt,
  last_error AS lastError, last_error_at AS lastErrorAt, created_by AS createdBy, created_at AS createdAt, updated_at AS updatedAt`;
const ATTEMPT_COLUMNS = `id, destination_id AS destinationId, first_seq AS firstSeq, last_seq AS lastSeq, events, attempt, ok,
  http_status AS httpStatus, error, latency_ms AS latencyMs, at`;

/** Errors end up on status pages: keep them short and on one line. */
const clip = (s: string) => s.replace(/\s+/g, ' ').slice(0, 500);

export interface CreateInput {
  readonly name: string;
  readonly kind: DestinationKind;
  readonly config: unknown;
  /** the webhook's HMAC secret or the HEC token */
  readonly secret?: string;
  /** deliver the whole log from seq 1 (default: only events from now on) */
  readonly fromStart?: boolean;
}

export class DeliveryStore {
  private readonly stmt;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {
    this.stmt = {
      all: sqlite.prepare<[], RawDestination>(`SELECT ${COLUMNS} FROM delivery_destinations ORDER BY name`),
      byId: sqlite.prepare<[string], RawDestination>(`SELECT ${COLUMNS} FROM delivery_destinations WHERE id = ?`),
      byName: sqlite.prepare<[string], RawDestination>(`SELECT ${COLUMNS} FROM delivery_destinations WHERE name = ?`),
      secret: sqlite.prepare<[string], { secret: string | null }>('SELECT secret FROM delivery_destinations WHERE id = ?'),
      insert: sqlite.prepare(
        `INSERT INTO delivery_destinations (id, name, kind, config, secret, enabled, cursor, failures, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 1, ?, 0, ?, ?, ?)`,
      ),
      setEnabled: sqlite.prepare('UPDATE delivery_destinations SET enabled = ?, failures = 0, next_attempt_at = NULL, updated_at = ? WHERE id = ?'),
      setConfig: sqlite.prepare('UPDATE delivery_destinations SET config = ?, failures = 0, next_attempt_at = NULL, updated_at = ? WHERE id = ?'),
      advance: sqlite.prepare(
        'UPDATE delivery_destinations SET cursor = ?, failures = 0, next_attempt_at = NULL, last_success_at = COALESCE(?, last_success_at) WHERE id = ? AND cursor = ?',
      ),
      failed: sqlite.prepare('UPDATE delivery_destinations SET failures = ?, next_attempt_at = ?, last_error = ?, last_error_at = ? WHERE id = ?'),
      insertAttempt: sqlite.prepare(
        `INSERT INTO delivery_attempts (destination_id, first_seq, last_seq, events, attempt, ok, http_status, error, latency_ms, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      prune: sqlite.prepare('DELETE FROM delivery_attempts WHERE destination_id = ? AND id <= ?'),
      attempts: sqlite.prepare<[string, number, number], Omit<AttemptRow, 'ok'> & { ok: number }>(
        `SELECT ${ATTEMPT_COLUMNS} FROM delivery_attempts WHERE destination_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
      ),
    };
  }

  list(): Destination[] {
    return this.stmt.all.all().flatMap((r) => toDestination(r) ?? []);
  }

  /** By id or by name. */
  get(ref: string): Destination | undefined {
    const row = this.stmt.byId.get(ref) ?? this.stmt.byName.get(ref);
    return row ? toDestination(row) : undefined;
  }

  /** The secret is read only by the transport that signs or authenticates with it. */
  secretOf(id: string): string | undefined {
    return this.stmt.secret.get(id)?.secret ?? undefined;
  }

  create(input: CreateInput, actor: string): Result<Destination, StoreCode> {
    const name = checkName(input.name);
    if (!name.ok) return name;
    const spec = parseDestinationConfig(input.kind, input.config);
    if (!spec.ok) return spec;
    if (this.stmt.byName.get(input.name)) return err('NAME_TAKEN', `a destination named "${input.name}" exists`);
    const id = `dst_${randomBytes(8).toString('hex')}`;
    const at = this.now().getTime();
    const payload = { id, name: input.name, kind: input.kind, target: describeTarget(spec.value), fromStart: input.fromStart === true, ...eventsOf(spec.value) };
    this.audit.record({ actor, action: 'delivery.destination_added', subject: `destination:${input.name}`, payload }, () => {
      // The head is read inside the write transaction: "from now on" means after exactly this event.
      const cursor = input.fromStart ? 0 : this.audit.head().seq + 1;
      this.stmt.insert.run(id, input.name, input.kind, JSON.stringify(spec.value.config), input.secret ?? null, cursor, actor, at, at);
    });
    return ok(this.get(id)!);
  }

  /** Replaces the configuration of a destination (same kind); the cursor and secret stay. */
  update(ref: string, config: unknown, actor: string): Result<Destination, StoreCode> {
    const current = this.get(ref);
    if (!current) return err('NOT_FOUND', `no destination "${ref}"`);
    const spec = parseDestinationConfig(current.kind, config);
    if (!spec.ok) return spec;
    const payload = { id: current.id, name: current.name, kind: current.kind, target: describeTarget(spec.value), ...eventsOf(spec.value) };
    this.audit.record({ actor, action: 'delivery.destination_changed', subject: `destination:${current.name}`, payload }, () => {
      this.stmt.setConfig.run(JSON.stringify(spec.value.config), this.now().getTime(), current.id);
    });
    return ok(this.get(current.id)!);
  }

  setEnabled(ref: string, enabled: boolean, actor: string): Result<Destination, StoreCode> {
    const current = this.get(ref);
    if (!current) return err('NOT_FOUND', `no destination "${ref}"`);
    if (current.enabled === enabled) return ok(current);
    const action = enabled ? 'delivery.destination_changed' : 'delivery.destination_disabled';
    this.audit.record({ actor, action, subject: `destination:${current.name}`, payload: { id: current.id, name: current.name, enabled } }, () => {
      this.stmt.setEnabled.run(enabled ? 1 : 0, this.now().getTime(), current.id);
    });
    return ok(this.get(current.id)!);
  }

  /** The engine's compare-and-set: false when another process moved the cursor first. */
  advance(id: string, from: number, to: number, attempt: AttemptRecord | undefined): boolean {
    return this.sqlite.transaction(() => {
      const moved = this.stmt.advance.run(to, attempt ? attempt.at : null, id, from).changes === 1;
      if (moved && attempt) this.insertAttempt(attempt);
      return moved;
    }).immediate();
  }

  failed(id: string, failures: number, nextAttemptAt: number, attempt: AttemptRecord): void {
    this.sqlite.transaction(() => {
      this.stmt.failed.run(failures, nextAttemptAt, clip(attempt.error ?? 'failed'), attempt.at, id);
      this.insertAttempt(attempt);
    }).immediate();
  }

  /** The delivery log, newest first; `before` pages back by attempt id. */
  attempts(id: string, limit = 50, before = Number.MAX_SAFE_INTEGER): AttemptRow[] {
    return this.stmt.attempts.all(id, before, Math.min(Math.max(limit, 1), 500)).map((a) => ({ ...a, ok: Boolean(a.ok) }));
  }

  private insertAttempt(a: AttemptRecord): void {
    const info = this.stmt.insertAttempt.run(
      a.destinationId, a.firstSeq, a.lastSeq, a.events, a.attempt, a.ok ? 1 : 0, a.httpStatus, a.error === null ? null : clip(a.error), Math.round(a.latencyMs), a.at,
    );
    const newest = Number(info.lastInsertRowid);
    if (newest % 100 === 0) this.stmt.prune.run(a.destinationId, newest - ATTEMPTS_KEPT);
  }
}

function eventsOf(spec: DestinationConfig): { events?: string[] } {
  return spec.kind === 'webhook' ? { events: [...spec.config.events] } : {};
}

function toDestination(r: RawDestination): Destination | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(r.config);
  } catch {
    return undefined;
  }
  const spec = parseDestinationConfig(r.kind, raw);
  if (!spec.ok) return undefined; // written validated; a row edited by hand is not delivered to
  return {
    id: r.id, name: r.name, kind: r.kind, spec: spec.value, target: describeTarget(spec.value), enabled: r.enabled === 1, cursor: r.cursor,
    failures: r.failures, nextAttemptAt: r.nextAttemptAt, lastSuccessAt: r.lastSuccessAt, lastError: r.lastError, lastErrorAt: r.lastErrorAt,
    createdBy: r.createdBy, createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}
