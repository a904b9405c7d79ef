/**
 * The one Drizzle schema. Migrations are generated from it with `npm run db:generate`
 * (drizzle-kit) and committed under db/migrations; never pushed.
 */
import { sqliteTable, text, integer, blob, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Keys an admin registered. Trust comes only from rows here. */
export const trustKeys = sqliteTable('trust_keys', {
  keyid: text('keyid').primaryKey(), // hex SHA-256 of the raw 32-byte public key
  name: text('name').notNull(),
  role: text('role', { enum: ['publisher', 'approver', 'auditor'] }).notNull(),
  publicKey: text('public_key').notNull(), // base64 of the raw 32-byte Ed25519 public key
  status: text('status', { enum: ['active', 'revoked'] }).notNull(),
  addedBy: text('added_by').notNull(),
  addedAt: integer('added_at', { mode: 'timestamp_ms' }).notNull(),
  revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  revokedBy: text('revoked_by'),
  revokeReason: text('revoke_reason'),
});

/** Every accepted module version. Bytes live here so that what runs is exactly what was verified. */
export const moduleVersions = sqliteTable(
  'module_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    version: text('version').notNull(),
    tenant: text('tenant').notNull(),
    description: text('description').notNull(),
    source: text('source', { enum: ['bundle', 'legacy'] }).notNull(),
    wasmSha256: text('wasm_sha256').notNull(),
    manifestSha256: text('manifest_sha256').notNull(),
    manifestJson: text('manifest_json').notNull(), // canonical (RFC 8785) manifest
    envelopeJson: text('envelope_json').notNull(), // the signature envelope as received
    signerKeyids: text('signer_keyids', { mode: 'json' }).$type<string[]>().notNull(),
    wasm: blob('wasm', { mode: 'buffer' }).notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    importedBy: text('imported_by').notNull(),
    importedAt: integer('imported_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('module_versions_name_version').on(t.name, t.version),
    index('module_versions_digest').on(t.wasmSha256),
  ],
);

/**
 * The append-only, hash-chained audit log. Triggers (custom migration) refuse UPDATE and DELETE.
 * `payload` holds canonical JSON text so the chain can be re-hashed without re-serialising.
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey(),
    time: text('time').notNull(), // ISO 8601, UTC, millisecond precision
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subject: text('subject').notNull(),
    payload: text('payload').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_events_action').on(t.action), index('audit_events_time').on(t.time)],
);

/** Signed statements "the chain had head `hash` at `seq`", made with the server's own key. */
export const auditCheckpoints = sqliteTable('audit_checkpoints', {
  seq: integer('seq').primaryKey(),
  hash: text('hash').notNull(),
  time: text('time').notNull(),
  keyid: text('keyid').notNull(),
  signature: text('signature').notNull(), // base64 Ed25519 over the canonical checkpoint statement
});
