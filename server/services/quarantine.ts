/**
 * Quarantine of module versions (by wasm digest). A quarantined module is denied pre-exec until a
 * person releases it; both transitions are audited in the same transaction as the change.
 */
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { quarantine } from '../../db/schema';
import { err, ok, type Result } from '../core/result';
import type { AuditLog } from './audit-log';

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

  release(wasmSha256: string, reason: string, actor: string): Result<QuarantineRow, 'NOT_QUARANTINED' | 'REASON_REQUIRED'> {
    if (reason.trim() === '') return err('REASON_REQUIRED', 'releasing a module from quarantine needs a reason');
    const current = this.active(wasmSha256);
    if (!current) return err('NOT_QUARANTINED', `no active quarantine for ${wasmSha256}`);
    const released = this.audit.record(
      {
        actor,
        action: 'module.released',
        subject: `module:${current.moduleName}`,
        payload: { id: current.id, wasmSha256, reason: reason.trim() },
      },
      () =>
        this.db
          .update(quarantine)
          .set({ releasedAt: this.now(), releasedBy: actor, releaseReason: reason.trim() })
          .where(eq(quarantine.id, current.id))
          .returning()
          .get(),
    );
    return ok(released!);
  }
}
