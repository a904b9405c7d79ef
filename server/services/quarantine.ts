/**
 * Quarantine of module versions (by wasm digest). A quarantined module is denied pre-exec until the
 * approval policy's quorum signs its release (quarantine-release.ts); both transitions are audited in the same transaction as the change.
 */
import { and, desc, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { quarantine } from '../../db/schema';
import { err, ok, type Result } from '../core/result';
import type { AuditLog } from './audit-log';
import type { JsonValue } from '../core/audit/canonical-payload';

export type QuarantineRow = typeof quarantine.$inferSelect;
export type QuarantineSource = QuarantineRow['source'];

export class QuarantineService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  active(wasmSha256: string): QuarantineRow | undefined {
    return this.db
      .select()
      .from(quarantine)
      .where(and(eq(quarantine.wasmSha256, wasmSha256), isNull(quarantine.releasedAt)))
      .get();
  }

  listActive(): QuarantineRow[] {
    return this.db.select().from(quarantine).where(isNull(quarantine.releasedAt)).orderBy(desc(quarantine.since)).all();
  }

  /** Quarantines a module version; a version already in quarantine stays as it is. */
  add(
    entry: { moduleName: string; wasmSha256: string; reason: string; source: QuarantineSource; runId?: string },
    actor: string,
  ): QuarantineRow {
    const existing = this.active(entry.wasmSha256);
    if (existing) return existing;
    return this.audit.record(
      (row: QuarantineRow) => ({
        actor,
        action: 'module.quarantined',
        subject: `module:${row.moduleName}`,
        payload: { id: row.id, wasmSha256: row.wasmSha256, source: row.source, reason: row.reason, runId: row.runId },
      }),
      () =>
        this.db
          .insert(quarantine)
          .values({ ...entry, runId: entry.runId ?? null, since: this.now(), by: actor })
          .returning()
          .get(),
    );
  }

  byId(id: number): QuarantineRow | undefined {
    return this.db.select().from(quarantine).where(eq(quarantine.id, id)).get();
  }

  /** Released entries, latest release first: the release history the quarantine page shows. */
  released(limit = 50): QuarantineRow[] {
    return this.db.select().from(quarantine).where(isNotNull(quarantine.releasedAt)).orderBy(desc(quarantine.releasedAt)).limit(Math.min(limit, 500)).all();
  }

  /**
   * Ends a quarantine entry. Only QuarantineReleases calls this, once the approval policy's quorum
   * of signed release statements is met (nobody releases alone unless the quorum is one person);
   * `releasedBy` names the approvers, `approvals` goes into the audit event.
   */
  releaseEntry(
    id: number, release: { reason: string; releasedBy: string; approvals: readonly JsonValue[] }, actor: string,
  ): Result<QuarantineRow, 'NOT_QUARANTINED' | 'REASON_REQUIRED'> {
    if (release.reason.trim() === '') return err('REASON_REQUIRED', 'releasing a module from quarantine needs a reason');
    const current = this.byId(id);
    if (!current || current.releasedAt !== null) return err('NOT_QUARANTINED', `quarantine entry ${id} is not active`);
    const released = this.audit.record(
      {
        actor,
        action: 'module.released',
        subject: `module:${current.moduleName}`,
        payload: { id: current.id, wasmSha256: current.wasmSha256, reason: release.reason.trim(), releasedBy: release.releasedBy, approvals: [...release.approvals] },
      },
      () =>
        this.db
          .update(quarantine)
          .set({ releasedAt: this.now(), releasedBy: release.releasedBy, releaseReason: release.reason.trim() })
          .where(and(eq(quarantine.id, current.id), isNull(quarantine.releasedAt)))
          .returning()
          .get(),
    );
    return ok(released!);
  }
}
