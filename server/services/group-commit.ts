/**
 * Group commit: writes submitted within one turn of the event loop share ONE SQLite transaction.
 *
 * A commit in WAL mode appends every page the transaction touched to the log; eight runs that each
 * commit alone write the same B-tree leaves (audit_events, runs and their indexes) eight times. Here
 * each write runs as its own savepoint inside the shared transaction, so one write that throws is
 * rolled back alone and fails alone, while the others commit.
 *
 * Fail closed: a write's promise resolves only after the shared COMMIT has returned. If the commit
 * fails (disk full, I/O error, lock timeout), every write in the batch rejects, none is reported
 * durable, and the governor withholds or refuses exactly as if its own transaction had failed.
 */
import type Database from 'better-sqlite3';

interface Pending {
  readonly write: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitStats {
  /** transactions committed (or attempted) */
  readonly batches: number;
  /** writes submitted */
  readonly writes: number;
  /** the most writes one transaction carried */
  readonly largestBatch: number;
}

export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly savepoint: Database.Transaction<(write: () => unknown) => unknown>;
  private counts = { batches: 0, writes: 0, largestBatch: 0 };

  constructor(
    sqlite: Database.Database,
    /** How a batch is scheduled: the default runs it after this turn's I/O callbacks (setImmediate). */
    private readonly schedule: (flush: () => void) => void = (flush) => setImmediate(flush),
    /** Most writes in one transaction, so one batch cannot hold the write lock for long. */
    private readonly maxBatch = 256,
  ) {
    this.savepoint = sqlite.transaction((write: () => unknown) => write());
  }

  /**
   * Runs `write` (synchronous; it may open its own transactions, which nest as savepoints) in the
   * next shared transaction; resolves with its result once that transaction has committed.
   */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      this.counts.writes++;
      if (!this.scheduled) {
        this.scheduled = true;
        this.schedule(() => this.flush());
      }
    });
  }

  stats(): GroupCommitStats {
    return { ...this.counts };
  }

  /** Commits everything waiting now (also called by the scheduler). */
  flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) this.commit(this.pending.splice(0, this.maxBatch));
  }

  private commit(batch: Pending[]): void {
    this.counts.batches++;
    this.counts.largestBatch = Math.max(this.counts.largestBatch, batch.length);
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = new Array(batch.length);
    try {
      // IMMEDIATE: the write lock up front, so another process's writer makes us wait, not fail mid-way.
      this.savepoint.immediate(() => {
        for (let i = 0; i < batch.length; i++) {
          try {
            outcomes[i] = { ok: true, value: this.savepoint(batch[i]!.write) };
          } catch (error) {
            outcomes[i] = { ok: false, error }; // its savepoint is rolled back; the others go on
          }
        }
      });
    } catch (error) {
      // BEGIN or COMMIT failed: nothing in this batch is durable, so nothing may be reported so.
      for (const p of batch) p.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.ok) batch[i]!.resolve(outcome.value);
      else batch[i]!.reject(outcome.error);
    }
  }
}
