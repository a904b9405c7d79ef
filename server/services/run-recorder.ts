/**
 * SQLite adapters for the governor's storage ports: a decided run is written (its `run.decided`
 * audit event, the run row and any quarantine) in one transaction, and recorded runs are read back
 * for replay.
 */
import type Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { moduleVersions } from '../../db/schema';
import type { DecisionRecord } from '../core/guardian/decision-record';
import { encodeRunFacts, factsFromRecord } from '../core/guardian/run-facts';
import { parseDecisionRecord } from '../core/guardian/decision-record-schema';
import { contentsOf, rebuildDirs, type DecidedRun, type RecordedRun, type RecordedRuns, type RunRecorder } from '../core/run';
import type { AuditLog } from './audit-log';
import type { QuarantineService } from './quarantine';

/**
 * The runs row, written with one prepared statement instead of a Drizzle insert: Drizzle rebuilt
 * and re-prepared the SQL on every run (about 0.09 ms, measured in bench/governed.bench.ts).
 * Column values are converted exactly as the Drizzle schema (db/schema.ts `runs`) would.
 */
const INSERT_RUN = `INSERT INTO runs (id, module_version_id, module_name, module_version, tenant, wasm_sha256, actor, started_at,
  decision, outcome, exit_code, threat_score, fuel_used, wall_ms, policy_name, policy_revision, seed, output_sha256,
  stdin, stdout, stderr, audit_seq, capability_denials, guardian_facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Input file contents, content-addressed (db/schema.ts `runFiles`): written once per distinct content. */
const INSERT_FILE = 'INSERT OR IGNORE INTO run_files (sha256, bytes, content) VALUES (?, ?, ?)';

export class SqliteRunRecorder implements RunRecorder {
  private readonly insertRun: Database.Statement;
  private readonly insertFile: Database.Statement;
  private readonly inTransaction: Database.Transaction<(fn: () => void) => void>;

  constructor(
    sqlite: Database.Database,
    private readonly audit: AuditLog,
    private readonly quarantine: QuarantineService,
  ) {
    this.insertRun = sqlite.prepare(INSERT_RUN);
    this.insertFile = sqlite.prepare(INSERT_FILE);
    this.inTransaction = sqlite.transaction((fn: () => void) => fn());
  }

  record({ record, module, stdin, stdout, stderr, wallMs, dirs }: DecidedRun): void {
    // IMMEDIATE: take the write lock up front, so a concurrent checkpoint makes us wait, not fail.
    this.inTransaction.immediate(() => {
      const event = this.audit.append({ actor: record.actor, action: 'run.decided', subject: `run:${record.runId}`, payload: record as never });
      const execution = record.execution;
      this.insertRun.run(
        record.runId,
        module.id,
        module.name,
        module.version,
        module.tenant,
        module.wasmSha256,
        record.actor,
        new Date(record.startedAt).getTime(), // timestamp_ms
        record.decision,
        execution?.outcome.kind ?? 'denied',
        execution?.outcome.kind === 'ok' ? execution.outcome.exitCode : null,
        record.threat.score,
        execution?.used.fuel ?? 0,
        wallMs,
        record.policy.name,
        record.policy.revision,
        record.input.seed,
        execution?.outputSha256 ?? '',
        Buffer.from(stdin),
        Buffer.from(stdout),
        Buffer.from(stderr),
        event.seq, // the record itself is this event's payload: stored once (migration 0020)
        execution?.capabilityDenials?.length ?? 0,
        encodeRunFacts(factsFromRecord(record)), // what policy simulation reads instead of the whole record
      );
      // In the same transaction: a recorded run can always be replayed with exactly its input.
      for (const [sha256, content] of contentsOf(dirs ?? [])) this.insertFile.run(sha256, content.length, Buffer.from(content));
      if (record.quarantine) {
        this.quarantine.add(
          { moduleName: module.name, wasmSha256: module.wasmSha256, reason: record.quarantine.reason, source: record.quarantine.source, runId: record.runId },
          'guardian',
        );
      }
    });
  }
}

export class SqliteRecordedRuns implements RecordedRuns {
  private readonly byId: Database.Statement<[string], { record: string | null; stdin: Buffer; module_version_id: number }>;
  private readonly fileBySha: Database.Statement<[string], { content: Buffer }>;

  constructor(
    sqlite: Database.Database,
    private readonly db: Db,
  ) {
    // The record is the run's own run.decided payload (or its pre-0020 copy): see RunQueries.get.
    this.byId = sqlite.prepare(`SELECT coalesce(rr.record, e.payload) AS record, r.stdin, r.module_version_id FROM runs r
      LEFT JOIN run_records rr ON rr.run_id = r.id
      LEFT JOIN audit_events e ON e.seq = r.audit_seq AND e.action = 'run.decided' AND e.subject = 'run:' || r.id
      WHERE r.id = ?`);
    this.fileBySha = sqlite.prepare('SELECT content FROM run_files WHERE sha256 = ?');
  }

  load(runId: string): RecordedRun | undefined {
    const row = this.byId.get(runId);
    if (!row) return undefined;
    if (row.record === null) throw new Error(`run ${runId} has no decision record: its run.decided audit event is missing`);
    const module = this.db.select().from(moduleVersions).where(eq(moduleVersions.id, row.module_version_id)).get();
    const parsed = parseDecisionRecord(row.record, runId);
    if (!parsed.ok) throw new Error(parsed.message);
    const record: DecisionRecord = parsed.value;
    const recordedDirs = record.input.dirs;
    const dirs = recordedDirs
      ? rebuildDirs(recordedDirs, (sha256) => {
          const file = this.fileBySha.get(sha256);
          return file ? new Uint8Array(file.content) : undefined;
        })
      : undefined;
    return { record, stdin: new Uint8Array(row.stdin), module, ...(dirs === undefined ? {} : { dirs }) };
  }
}
