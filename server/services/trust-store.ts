/**
 * The trust store: keys an admin registered. Verification looks keys up here and nowhere else;
 * a key that travels with a module only names which row to look up. Every change is written
 * together with its audit event in one transaction.
 */
import { eq, like } from 'drizzle-orm';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/client';
import { trustKeys } from '../../db/schema';
import { ok, err, type Result } from '../core/result';
import { keyIdOf } from '../core/crypto/keys';
import type { KeyRole, TrustedKey } from '../core/module/verify';
import type { AuditLog } from './audit-log';

export const KEY_ROLES: readonly KeyRole[] = ['publisher', 'approver', 'auditor', 'node'];

export type TrustKeyRow = typeof trustKeys.$inferSelect;
export type TrustAddCode = 'INVALID_KEY' | 'KEY_EXISTS' | 'INVALID_NAME';
export type TrustFindCode = 'KEY_NOT_FOUND' | 'KEY_AMBIGUOUS';
export type TrustRevokeCode = TrustFindCode | 'ALREADY_REVOKED' | 'REASON_REQUIRED';

const MIN_PREFIX = 8;

export class TrustStore {
  private readonly cache = new Map<string, TrustedKey>();
  /** SQLite's data_version changes when another connection commits: then the cache may be stale. */
  private seenDataVersion = -1;
  /** Bumped on every change made through this instance (data_version only sees other connections). */
  private localChanges = 0;
  /** Prepared once: db.pragma() prepares a new statement on every call, twice per run. */
  private readonly dataVersionStmt: Statement<[], number>;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {
    this.dataVersionStmt = db.$client.prepare<[], number>('PRAGMA data_version').pluck();
  }

  add(input: { publicKey: Uint8Array; role: KeyRole; name: string }, actor: string): Result<TrustKeyRow, TrustAddCode> {
    if (input.publicKey.length !== 32) return err('INVALID_KEY', 'an Ed25519 public key is exactly 32 bytes');
    const name = input.name.trim();
    if (name.length === 0 || name.length > 100) return err('INVALID_NAME', 'a key name is 1 to 100 characters');
    const keyid = keyIdOf(input.publicKey);
    const existing = this.db.select().from(trustKeys).where(eq(trustKeys.keyid, keyid)).get();
    if (existing) return err('KEY_EXISTS', `key ${keyid} is already registered as "${existing.name}" (${existing.status})`);
    const row: TrustKeyRow = {
      keyid,
      name,
      role: input.role,
      publicKey: Buffer.from(input.publicKey).toString('base64'),
      status: 'active',
      addedBy: actor,
      addedAt: this.now(),
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
    };
    this.audit.record({ actor, action: 'key.added', subject: `key:${keyid}`, payload: { name, role: input.role } }, () =>
      this.db.insert(trustKeys).values(row).run(),
    );
    this.changed();
    return ok(row);
  }

  list(): TrustKeyRow[] {
    return this.db.select().from(trustKeys).orderBy(trustKeys.addedAt).all();
  }

  /** Finds a key by its full id or a unique prefix of at least 8 hex digits. */
  find(keyidOrPrefix: string): Result<TrustKeyRow, TrustFindCode> {
    const wanted = keyidOrPrefix.trim().toLowerCase();
    if (!/^[0-9a-f]+$/.test(wanted) || wanted.length < MIN_PREFIX || wanted.length > 64) {
      return err('KEY_NOT_FOUND', `"${keyidOrPrefix}" is not a key id (give at least ${MIN_PREFIX} hex digits)`);
    }
    const rows = this.db.select().from(trustKeys).where(like(trustKeys.keyid, `${wanted}%`)).limit(2).all();
    if (rows.length === 0) return err('KEY_NOT_FOUND', `no registered key starts with ${wanted}`);
    if (rows.length > 1) return err('KEY_AMBIGUOUS', `more than one key starts with ${wanted}; give more digits`);
    return ok(rows[0]!);
  }

  /**
   * Revokes a key. `at` may back-date the revocation to when a compromise began, so that
   * anything first seen after that moment stops verifying.
   */
  revoke(keyidOrPrefix: string, reason: string, actor: string, at?: Date): Result<TrustKeyRow, TrustRevokeCode> {
    if (reason.trim() === '') return err('REASON_REQUIRED', 'a revocation needs a reason');
    const found = this.find(keyidOrPrefix);
    if (!found.ok) return found;
    const key = found.value;
    if (key.status === 'revoked') return err('ALREADY_REVOKED', `key ${key.keyid} was already revoked`);
    const revokedAt = at ?? this.now();
    this.audit.record(
      {
        actor,
        action: 'key.revoked',
        subject: `key:${key.keyid}`,
        payload: { name: key.name, reason: reason.trim(), revokedAt: revokedAt.toISOString() },
      },
      () =>
        this.db
          .update(trustKeys)
          .set({ status: 'revoked', revokedAt, revokedBy: actor, revokeReason: reason.trim() })
          .where(eq(trustKeys.keyid, key.keyid))
          .run(),
    );
    this.changed();
    return ok({ ...key, status: 'revoked', revokedAt, revokedBy: actor, revokeReason: reason.trim() });
  }

  /** Changes whenever the trust store may have changed; caches of verification results key on it. */
  generation(): string {
    return `${this.dataVersion()}:${this.localChanges}`;
  }

  private dataVersion(): number {
    return this.dataVersionStmt.get()!;
  }

  private changed(): void {
    this.localChanges++;
    this.cache.clear();
  }

  /** The verifier's view of a key. Cached: verification is on the hot path of every run. */
  lookup = (keyid: string): TrustedKey | undefined => {
    const version = this.dataVersion();
    if (version !== this.seenDataVersion) {
      this.cache.clear(); // a revocation by another process (CLI vs console) must take effect at once
      this.seenDataVersion = version;
    }
    const cached = this.cache.get(keyid);
    if (cached) return cached;
    const row = this.db.select().from(trustKeys).where(eq(trustKeys.keyid, keyid)).get();
    if (!row) return undefined;
    const key: TrustedKey = {
      keyid: row.keyid,
      name: row.name,
      role: row.role,
      publicKey: new Uint8Array(Buffer.from(row.publicKey, 'base64')),
      status: row.status,
      revokedAt: row.revokedAt,
    };
    this.cache.set(keyid, key);
    return key;
  };
}
