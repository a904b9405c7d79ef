/**
 * What Guardian needs to know about the past before a run: earlier runs and versions of a module
 * and whether its digest is quarantined. Plain indexed queries over prepared statements (this is
 * on the hot path of every run; a Drizzle query is rebuilt and re-prepared on each call).
 */
import type Database from 'better-sqlite3';
import type { ThreatHistory } from '../core/threat';

export class RunHistory {
  private readonly stmt;

  constructor(sqlite: Database.Database) {
    this.stmt = {
      digestSeen: sqlite.prepare<[string], { one: number }>('SELECT 1 AS one FROM runs WHERE wasm_sha256 = ? LIMIT 1'),
      // A post-exec failure is a run that executed (outcome is not 'denied') and was then denied.
      postFailures: sqlite.prepare<[string], { n: number }>(
        "SELECT count(*) AS n FROM runs WHERE module_name = ? AND decision = 'deny' AND outcome <> 'denied'",
      ),
      // Recent runs (newest 100) in which the sandbox refused calls. runs.capability_denials, not the
      // record's JSON (parsing 100 records took about 1 ms per run); covered by index runs_module.
      capabilityDenials: sqlite.prepare<[string], { n: number }>(
        `SELECT count(*) AS n FROM (SELECT capability_denials FROM runs WHERE module_name = ? AND outcome <> 'denied' ORDER BY started_at DESC LIMIT 100)
         WHERE capability_denials > 0`,
      ),
      previousVersion: sqlite.prepare<[string, number], { wasm_sha256: string; size_bytes: number }>(
        'SELECT wasm_sha256, size_bytes FROM module_versions WHERE name = ? AND id < ? ORDER BY id DESC LIMIT 1',
      ),
      // Same condition as QuarantineService.active(), as an existence check on index quarantine_digest.
      quarantined: sqlite.prepare<[string], { one: number }>('SELECT 1 AS one FROM quarantine WHERE wasm_sha256 = ? AND released_at IS NULL LIMIT 1'),
    };
  }

  /** History facts for a module version about to run; `signerTrusted` comes from verification. */
  facts(module: { id: number; name: string; wasmSha256: string; sizeBytes: number }, signerTrusted: boolean): ThreatHistory {
    const previous = this.stmt.previousVersion.get(module.name, module.id);
    return {
      signerTrusted,
      firstSeenDigest: this.stmt.digestSeen.get(module.wasmSha256) === undefined,
      hashDrift:
        previous && previous.wasm_sha256 !== module.wasmSha256
          ? { previousSha256: previous.wasm_sha256, previousSizeBytes: previous.size_bytes, sizeBytes: module.sizeBytes }
          : null,
      priorPostFailures: this.stmt.postFailures.get(module.name)?.n ?? 0,
      priorCapabilityDenials: this.stmt.capabilityDenials.get(module.name)?.n ?? 0,
    };
  }

  /** True while the digest has an unreleased quarantine entry. */
  quarantined(wasmSha256: string): boolean {
    return this.stmt.quarantined.get(wasmSha256) !== undefined;
  }
}
