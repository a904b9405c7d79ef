/**
 * The one Drizzle schema. Migrations are generated from it with `npm run db:generate`
 * (drizzle-kit) and committed under db/migrations; never pushed.
 */
import { sqliteTable, text, integer, blob, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';

/** Keys an admin registered. Trust comes only from rows here. */
export const trustKeys = sqliteTable('trust_keys', {
  keyid: text('keyid').primaryKey(), // hex SHA-256 of the raw 32-byte public key
  name: text('name').notNull(),
  role: text('role', { enum: ['publisher', 'approver', 'auditor', 'node'] }).notNull(),
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
    // 'submission': an agent's unsigned module, runnable while its signed approvals meet the quorum
    source: text('source', { enum: ['bundle', 'legacy', 'submission'] }).notNull(),
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
  (t) => [
    index('audit_events_action').on(t.action),
    index('audit_events_time').on(t.time),
    // The console filters by exact actor or subject, newest first; each index carries seq (the
    // rowid), so a rare value is found without scanning the whole log.
    index('audit_events_actor').on(t.actor),
    index('audit_events_subject').on(t.subject),
  ],
);

/** Signed statements "the chain had head `hash` at `seq`", made with the server's own key. */
export const auditCheckpoints = sqliteTable('audit_checkpoints', {
  seq: integer('seq').primaryKey(),
  hash: text('hash').notNull(),
  time: text('time').notNull(),
  keyid: text('keyid').notNull(),
  signature: text('signature').notNull(), // base64 Ed25519 over the canonical checkpoint statement
  // RFC 9162 tree head over events 1..seq (hex) and the C2SP signed-note checkpoint carrying it;
  // null only on checkpoints written before the Merkle tree existed.
  root: text('root'),
  note: text('note'),
});

/**
 * Every server key that signed this log's checkpoints and the seq range it may sign (migration
 * 0025). A rotation retires the key in use (until_seq) and adds the next one with the rotation
 * record both signed; rows are never deleted, and change only when retired (SQL triggers).
 */
export const serverKeys = sqliteTable('server_keys', {
  keyid: text('keyid').primaryKey(),
  publicKey: text('public_key').notNull(), // base64, 32 bytes
  fromSeq: integer('from_seq').notNull(),
  untilSeq: integer('until_seq'), // null for the key in use
  validFrom: text('valid_from'), // when it became the key in use; null for the log's first key
  retiredAt: text('retired_at'),
  rotation: text('rotation'), // nightcore.server-key-rotation/v1 record; null for the first key
});

/**
 * Perfect Merkle subtrees of 2^level events (level >= 8) starting at event index idx * 2^level:
 * derived from the events (a full verify recomputes them), kept so that a tree head or a proof at
 * a million events reads a few dozen rows instead of every event hash.
 */
export const auditTreeNodes = sqliteTable(
  'audit_tree_nodes',
  {
    level: integer('level').notNull(),
    idx: integer('idx').notNull(),
    hash: blob('hash', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] })],
);

/**
 * Cosignatures of our checkpoints by independent witnesses (C2SP tlog-cosignature lines), checked
 * against the witness's key before they are stored. The newest per witness is where its view of
 * the log stands: the next push proves consistency from there.
 */
export const auditCosignatures = sqliteTable(
  'audit_cosignatures',
  {
    seq: integer('seq').notNull(), // the checkpoint's tree size
    witness: text('witness').notNull(), // the witness key name
    cosignature: text('cosignature').notNull(),
    signedAt: integer('signed_at').notNull(), // the witness's timestamp (unix seconds)
  },
  (t) => [primaryKey({ columns: [t.witness, t.seq] })],
);

/** One governed run: the decision record, kept whole so a run can be explained and replayed. */
export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    moduleVersionId: integer('module_version_id').notNull(),
    moduleName: text('module_name').notNull(),
    moduleVersion: text('module_version').notNull(),
    tenant: text('tenant').notNull(),
    wasmSha256: text('wasm_sha256').notNull(),
    actor: text('actor').notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    decision: text('decision', { enum: ['allow', 'deny'] }).notNull(),
    outcome: text('outcome').notNull(), // RunOutcome kind
    exitCode: integer('exit_code'),
    threatScore: integer('threat_score').notNull(),
    fuelUsed: integer('fuel_used').notNull(),
    wallMs: integer('wall_ms').notNull(),
    policyName: text('policy_name').notNull(),
    policyRevision: integer('policy_revision').notNull(),
    seed: text('seed').notNull(),
    outputSha256: text('output_sha256').notNull(),
    stdin: blob('stdin', { mode: 'buffer' }).notNull(),
    stdout: blob('stdout', { mode: 'buffer' }).notNull(),
    stderr: blob('stderr', { mode: 'buffer' }).notNull(),
    // The decision record is not stored here: it is the payload of the run.decided audit event at
    // auditSeq (stored once, covered by the hash chain; migration 0020). See RunQueries.get.
    auditSeq: integer('audit_seq').notNull(),
    /** How many calls the sandbox refused (record.execution.capabilityDenials), for RunHistory without JSON. */
    capabilityDenials: integer('capability_denials').notNull().default(0),
    /**
     * The compact facts policy simulation judges the run by (server/core/guardian/run-facts.ts, about
     * a hundred bytes), so it never parses 200,000 full records. Null only for a run without a record.
     */
    guardianFacts: text('guardian_facts'),
  },
  (t) => [
    index('runs_started').on(t.startedAt),
    // Also covers RunHistory's count of a module's newest 100 runs with refused calls (no row reads).
    index('runs_module').on(t.moduleName, t.startedAt, t.outcome, t.capabilityDenials),
    index('runs_decision').on(t.decision, t.startedAt),
    // RunHistory asks "has this digest ever run?" before every run; unindexed that scans the whole table.
    index('runs_digest').on(t.wasmSha256),
    // Watchtower: per-score range counts in a window (histogram, average) and the riskiest modules, without touching rows.
    index('runs_threat').on(t.threatScore, t.startedAt, t.moduleName),
    // Console runs.list filters by outcome newest first; a rare outcome (crashed) would otherwise scan every run.
    index('runs_outcome').on(t.outcome, t.startedAt),
    // RunHistory counts a module's post-exec failures before every run and for every threat score the console shows;
    // covering, so the count never reads rows (without it SQLite picked runs_decision and read every denied run).
    index('runs_module_decision').on(t.moduleName, t.decision, t.outcome),
  ],
);

/**
 * Denormalised from the decision record (the run.decided payload since migration 0020) for the Watchtower's "top denied rules": one row per rule that
 * failed in a denied run. Filled by an AFTER INSERT trigger on runs (migration
 * 0005_run_denied_rules_trigger), so it is written in the same transaction as the run and no
 * writer can forget it.
 */
/**
 * Input files of runs (`nightcore run --dir`), content-addressed: each distinct content once, by
 * SHA-256, however many runs read it. A decision record lists its files by digest; replay rebuilds
 * the same directories from here and refuses when a content is missing or does not match.
 */
/**
 * Decision records of runs recorded before migration 0020 whose audit_seq did not point at their own
 * run.decided event: kept as they were, so no record was lost when runs.record was dropped. Empty
 * for every database whose runs were written by the recorder.
 */
export const runRecords = sqliteTable('run_records', {
  runId: text('run_id').primaryKey(),
  record: text('record').notNull(),
});

export const runFiles = sqliteTable('run_files', {
  sha256: text('sha256').primaryKey(),
  bytes: integer('bytes').notNull(),
  content: blob('content', { mode: 'buffer' }).notNull(),
});

export const runDeniedRules = sqliteTable(
  'run_denied_rules',
  {
    runId: text('run_id').notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    phase: text('phase', { enum: ['pre', 'post'] }).notNull(),
    rule: text('rule').notNull(),
  },
  (t) => [index('run_denied_rules_rule').on(t.rule, t.startedAt)],
);

/**
 * How far crash recovery has looked (migration 0027): every run.started at or below
 * checkedThroughSeq has a decision, so opening the services only reads the starts after it.
 */
export const runReconcile = sqliteTable('run_reconcile', {
  id: integer('id').primaryKey(),
  checkedThroughSeq: integer('checked_through_seq').notNull(),
});

/** Quarantine of one module version (by digest). Active while releasedAt is null. */
export const quarantine = sqliteTable(
  'quarantine',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    moduleName: text('module_name').notNull(),
    wasmSha256: text('wasm_sha256').notNull(),
    reason: text('reason').notNull(),
    source: text('source', { enum: ['post_exec', 'threat', 'manual'] }).notNull(),
    runId: text('run_id'),
    since: integer('since', { mode: 'timestamp_ms' }).notNull(),
    by: text('by').notNull(),
    releasedAt: integer('released_at', { mode: 'timestamp_ms' }),
    releasedBy: text('released_by'),
    releaseReason: text('release_reason'),
  },
  (t) => [index('quarantine_digest').on(t.wasmSha256, t.releasedAt)],
);

/**
 * Console accounts. `passwordHash` is self-describing (scheme and cost parameters inside) so the
 * cost can be raised later without a migration. Usernames are checked against an anchored regex
 * in the service before they get here.
 */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(), // random UUID: stable across renames, carried in the session token
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['viewer', 'operator', 'approver', 'admin'] }).notNull(),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    failedLogins: integer('failed_logins').notNull().default(0), // consecutive, reset on success
    lastFailedLoginAt: integer('last_failed_login_at', { mode: 'timestamp_ms' }),
    // An admin's unlock: sign-in failures before this time no longer count towards the lockout.
    lockoutClearedAt: integer('lockout_cleared_at', { mode: 'timestamp_ms' }),
    lastLoginAt: integer('last_login_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    createdBy: text('created_by').notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('users_username').on(t.username)],
);

/**
 * Agents (AI agents, CI pipelines, automation) registered by an admin. The API token is shown
 * once; only its SHA-256 is kept. A token is `nca_<tokenId>_<secret>`: the id finds the row, the
 * secret's hash is compared in constant time.
 */
export const agents = sqliteTable(
  'agents',
  {
    id: text('id').primaryKey(), // random UUID
    name: text('name').notNull(),
    ownerUserId: text('owner_user_id').notNull(),
    tokenId: text('token_id').notNull(), // 16 hex digits, public
    tokenSha256: text('token_sha256').notNull(), // hex SHA-256 of the secret part
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    ratePerHour: integer('rate_per_hour').notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    revokedBy: text('revoked_by'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('agents_name').on(t.name), uniqueIndex('agents_token_id').on(t.tokenId)],
);

/** What an agent submitted, and where it stands (server/core/inbox/submission.ts). */
export const submissions = sqliteTable(
  'submissions',
  {
    id: text('id').primaryKey(), // random UUID
    agentId: text('agent_id').notNull(),
    ownerUserId: text('owner_user_id').notNull(), // the agent's owner when submitted (separation of duties)
    name: text('name').notNull(),
    version: text('version').notNull(),
    purpose: text('purpose').notNull(),
    manifestJson: text('manifest_json').notNull(), // canonical (RFC 8785)
    manifestSha256: text('manifest_sha256').notNull(),
    wasm: blob('wasm', { mode: 'buffer' }).notNull(),
    wasmSha256: text('wasm_sha256').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    state: text('state', { enum: ['pending', 'approved', 'rejected', 'expired', 'withdrawn'] }).notNull(),
    policyName: text('policy_name').notNull(),
    policyRevision: integer('policy_revision').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    decidedAt: integer('decided_at', { mode: 'timestamp_ms' }),
    detail: text('detail'),
  },
  (t) => [
    index('submissions_state').on(t.state, t.createdAt),
    index('submissions_digest').on(t.wasmSha256, t.manifestSha256),
    index('submissions_agent').on(t.agentId, t.createdAt),
    index('submissions_name').on(t.name, t.state, t.createdAt),
  ],
);

/** Signed approval statements as received (docs/approvals.md); kept whole so anyone can verify them again. */
export const approvalStatements = sqliteTable(
  'approval_statements',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subject: text('subject').notNull(), // submission:<id> or quarantine:<id>
    keyid: text('keyid').notNull(),
    userId: text('user_id').notNull(),
    decision: text('decision', { enum: ['approve', 'reject', 'release'] }).notNull(),
    payload: text('payload').notNull(), // base64 canonical statement
    sig: text('sig').notNull(), // base64 Ed25519
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('approval_statements_subject').on(t.subject), uniqueIndex('approval_statements_sig').on(t.sig)],
);

/** Which console user an `approver` key of the trust store belongs to (one person counts once). */
export const approverKeys = sqliteTable('approver_keys', {
  keyid: text('keyid').primaryKey(),
  userId: text('user_id').notNull(),
  boundBy: text('bound_by').notNull(),
  boundAt: integer('bound_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * Console sign-in sessions, kept on the server so that one can be revoked: the session cookie
 * carries a random id, and only its SHA-256 is stored here (a copy of this table signs nobody in).
 * Every request looks its session up; a revoked or expired row signs the request out.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(), // hex SHA-256 of the 256-bit random session id
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    address: text('address').notNull(), // the client address at sign-in, for admins reading the list
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(), // updated at most once a minute
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    revokedBy: text('revoked_by'),
    // sign_out | signed_out_everywhere | password_changed | disabled | role_changed
    revokeReason: text('revoke_reason'),
  },
  (t) => [index('sessions_user').on(t.userId, t.revokedAt)],
);

/**
 * The effective Guardian policy, one row per revision (append-only, triggers in 0017). The highest
 * revision is in force. `changes` is the classified diff from the revision before (JSON).
 */
export const policyRevisions = sqliteTable(
  'policy_revisions',
  {
    revision: integer('revision').primaryKey(),
    name: text('name').notNull(),
    policyJson: text('policy_json').notNull(),
    sha256: text('sha256').notNull(), // of policy_json: what decision records name
    source: text('source', { enum: ['seed', 'file', 'tightening', 'proposal'] }).notNull(),
    fileSha256: text('file_sha256'), // the policy file's digest, for seed and file rows
    proposalId: text('proposal_id'),
    changes: text('changes').notNull(),
    actor: text('actor').notNull(),
    reason: text('reason').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('policy_revisions_file').on(t.fileSha256)],
);

/** A policy change that weakens enforcement (or a restore), waiting for signed approvals by quorum. */
export const policyProposals = sqliteTable(
  'policy_proposals',
  {
    id: text('id').primaryKey(),
    baseRevision: integer('base_revision').notNull(),
    baseSha256: text('base_sha256').notNull(),
    candidateJson: text('candidate_json').notNull(),
    candidateSha256: text('candidate_sha256').notNull(),
    restoreOf: integer('restore_of'),
    changes: text('changes').notNull(),
    proposerUserId: text('proposer_user_id').notNull(),
    proposer: text('proposer').notNull(),
    reason: text('reason').notNull(),
    state: text('state', { enum: ['pending', 'applied', 'rejected', 'stale', 'expired'] }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    decidedAt: integer('decided_at', { mode: 'timestamp_ms' }),
    detail: text('detail'),
  },
  (t) => [index('policy_proposals_state').on(t.state, t.createdAt)],
);

/**
 * Installed licenses, append-only (a trigger refuses UPDATE): the newest row is the one in force,
 * and the text is verified against the vendor key every time it is read, so a row edited in the
 * file does not grant anything (docs/licensing.md).
 */
export const licenses = sqliteTable('licenses', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  text: text('text').notNull(), // the license file as installed
  sha256: text('sha256').notNull(),
  licenseId: text('license_id').notNull(),
  licensee: text('licensee').notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  installedAt: integer('installed_at', { mode: 'timestamp_ms' }).notNull(),
  installedBy: text('installed_by').notNull(),
});

/**
 * Where audit events are delivered (docs/delivery.md): webhooks and SIEM sinks. `cursor` is the seq
 * of the last event the destination confirmed (or its filter skipped); it only moves forward, after
 * the destination accepted a batch, so delivery is at-least-once and in seq order. `secret` is the
 * webhook's HMAC key or the HEC token: the server must use it to sign or authenticate, so it is kept
 * as is (protect the database file like the server key); listings never return it.
 */
export const deliveryDestinations = sqliteTable(
  'delivery_destinations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['webhook', 'syslog', 'hec', 'ocsf'] }).notNull(),
    config: text('config').notNull(), // JSON, validated by server/core/delivery/destination.ts
    secret: text('secret'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    cursor: integer('cursor').notNull(),
    failures: integer('failures').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    lastSuccessAt: integer('last_success_at'),
    lastError: text('last_error'),
    lastErrorAt: integer('last_error_at'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('delivery_destinations_name').on(t.name)],
);

/** The delivery log: one row per attempt to send a batch (kept to the newest few thousand per destination). */
export const deliveryAttempts = sqliteTable(
  'delivery_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    destinationId: text('destination_id')
      .notNull()
      .references(() => deliveryDestinations.id),
    firstSeq: integer('first_seq').notNull(),
    lastSeq: integer('last_seq').notNull(),
    events: integer('events').notNull(),
    attempt: integer('attempt').notNull(),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    httpStatus: integer('http_status'),
    error: text('error'),
    latencyMs: integer('latency_ms').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('delivery_attempts_destination').on(t.destinationId, t.id)],
);
