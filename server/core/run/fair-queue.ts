/**
 * Admission to the sandbox, fair across users. At most `capacity` runs execute at once; the rest
 * wait in one FIFO per actor and are started round-robin, so one user's flood cannot delay
 * everyone else's single run. Checked before any assessment work is done:
 * - BUSY when the whole queue is full (everyone must back off),
 * - RATE_LIMITED when this actor already waits for its share of the queue (this actor must back off).
 * A user's share is the queue divided by the users currently waiting or running, counting at least
 * two, so a lone flood never fills the whole queue and a newcomer still gets a place (at least 1).
 */
import { err, ok, type Result } from '../result';

export type AdmitCode = 'BUSY' | 'RATE_LIMITED';

export interface FairQueueOptions {
  /** Runs that may execute at once (the backend's capacity). */
  readonly capacity: () => number;
  /** Runs that may wait in all. */
  readonly queueLimit: () => number;
}

/** A place in the queue: wait for `started`, then always `release()` once the run is over. */
export interface Admission {
  /** Resolves true when the run may start, false when it was cancelled while waiting. */
  readonly started: Promise<boolean>;
  release(): void;
}

interface Waiter {
  /** Set synchronously, so a release() right after a start is counted correctly. */
  state: 'waiting' | 'running' | 'cancelled' | 'released';
  resolve: (go: boolean) => void;
}

export class FairQueue {
  private running = 0;
  private waitingTotal = 0;
  /** Per actor: its waiters in arrival order. Map order is the round-robin order. */
  private readonly waiting = new Map<string, Waiter[]>();
  /** Per actor: runs waiting or running, to size shares. */
  private readonly active = new Map<string, number>();

  constructor(private readonly options: FairQueueOptions) {}

  admit(actor: string): Result<Admission, AdmitCode> {
    const capacity = Math.max(1, this.options.capacity());
    if (this.running < capacity && this.waitingTotal === 0) {
      this.running++;
      this.bump(actor, 1);
      return ok(this.admission(actor, { state: 'running', resolve: () => undefined }, Promise.resolve(true)));
    }
    const limit = this.options.queueLimit();
    if (this.waitingTotal >= limit) {
      return err('BUSY', `the sandbox is busy: ${this.running} running, ${this.waitingTotal} waiting (limit ${limit})`);
    }
    // At least two shares, even for a lone user: half the queue always stays open for someone else.
    const users = Math.max(2, this.active.has(actor) ? this.active.size : this.active.size + 1);
    const share = Math.max(1, Math.floor(limit / users));
    const mine = this.waiting.get(actor)?.length ?? 0;
    if (mine >= share) {
      return err('RATE_LIMITED', `you already have ${mine} runs waiting, your share of the queue; retry when one finishes`);
    }
    const waiter: Waiter = { state: 'waiting', resolve: () => undefined };
    const started = new Promise<boolean>((resolve) => (waiter.resolve = resolve));
    const queue = this.waiting.get(actor) ?? [];
    queue.push(waiter);
    this.waiting.set(actor, queue);
    this.waitingTotal++;
    this.bump(actor, 1);
    return ok(this.admission(actor, waiter, started));
  }

  /** Ends every waiting admission with `started = false` (kill switch); returns how many. */
  cancelWaiting(): number {
    const all = [...this.waiting.entries()];
    this.waiting.clear();
    let count = 0;
    for (const [actor, waiters] of all) {
      for (const w of waiters) {
        this.waitingTotal--;
        this.bump(actor, -1);
        w.state = 'cancelled';
        w.resolve(false);
        count++;
      }
    }
    return count;
  }

  stats(): { running: number; waiting: number; actors: number } {
    return { running: this.running, waiting: this.waitingTotal, actors: this.active.size };
  }

  private admission(actor: string, waiter: Waiter, started: Promise<boolean>): Admission {
    return {
      started,
      release: () => {
        const was = waiter.state;
        waiter.state = 'released';
        if (was === 'running') {
          this.running--;
          this.bump(actor, -1);
          this.next();
        } else if (was === 'waiting') {
          this.forget(actor, waiter);
          waiter.resolve(false);
        }
      },
    };
  }

  private forget(actor: string, waiter: Waiter): void {
    const queue = this.waiting.get(actor);
    const i = queue?.indexOf(waiter) ?? -1;
    if (!queue || i < 0) return;
    queue.splice(i, 1);
    if (queue.length === 0) this.waiting.delete(actor);
    this.waitingTotal--;
    this.bump(actor, -1);
  }

  /** Starts the next waiter, taking actors in turn. */
  private next(): void {
    const capacity = Math.max(1, this.options.capacity());
    while (this.running < capacity && this.waitingTotal > 0) {
      const [actor, queue] = this.waiting.entries().next().value as [string, Waiter[]];
      const waiter = queue.shift()!;
      // Move this actor to the back of the round-robin order.
      this.waiting.delete(actor);
      if (queue.length > 0) this.waiting.set(actor, queue);
      this.waitingTotal--;
      this.running++;
      waiter.state = 'running';
      waiter.resolve(true);
    }
  }

  private bump(actor: string, by: number): void {
    const n = (this.active.get(actor) ?? 0) + by;
    if (n <= 0) this.active.delete(actor);
    else this.active.set(actor, n);
  }
}
