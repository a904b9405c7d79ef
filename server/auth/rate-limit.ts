/**
 * In-memory sliding-window limiter for failed sign-ins, per account AND per client address.
 * It FAILS CLOSED: if it cannot decide (clock gone wrong, too many keys tracked to remember one
 * more), the answer is "refuse". Successful logins are not counted; failures are.
 *
 * In-memory means per process: a restart forgets the windows. The per-account counter in the
 * users table (failedLogins) survives restarts and is shown to admins. An admin's unlock is stored
 * in the users table (lockoutClearedAt) and passed in as `since`: failures before it no longer
 * count, whichever process (console or CLI) recorded the unlock.
 */

export interface LimitRule {
  readonly max: number;
  readonly windowMs: number;
}

export type LimitDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly rule: LimitRule,
    private readonly now: () => number,
    /** Beyond this many tracked keys new keys are refused, so a flood cannot exhaust memory. */
    private readonly maxKeys = 100_000,
  ) {
    if (!(rule.max >= 1 && rule.windowMs > 0)) throw new RangeError('a limit needs max >= 1 and a positive window');
  }

  /** `since`: failures before this time are forgotten (an admin unlocked the key). */
  check(key: string, since?: number): LimitDecision {
    const t = this.now();
    if (!Number.isFinite(t)) return { allowed: false, retryAfterMs: this.rule.windowMs };
    const recent = this.prune(key, t, since);
    if (recent.length >= this.rule.max) {
      // the oldest hit inside the window leaves it first
      return { allowed: false, retryAfterMs: Math.max(1, recent[0]! + this.rule.windowMs - t) };
    }
    if (recent.length === 0 && this.hits.size >= this.maxKeys) {
      this.sweep(t);
      if (this.hits.size >= this.maxKeys) return { allowed: false, retryAfterMs: this.rule.windowMs };
    }
    return { allowed: true };
  }

  /** Failures the key may still make before it is refused (0 when it is refused now). */
  remaining(key: string, since?: number): number {
    const t = this.now();
    if (!Number.isFinite(t)) return 0;
    return Math.max(0, this.rule.max - this.prune(key, t, since).length);
  }

  get windowMs(): number {
    return this.rule.windowMs;
  }

  fail(key: string, since?: number): void {
    const t = this.now();
    if (!Number.isFinite(t)) return; // check() already refuses while the clock is broken
    const recent = this.prune(key, t, since);
    recent.push(t);
    // keep at most `max` entries: older ones cannot change a decision
    if (recent.length > this.rule.max) recent.splice(0, recent.length - this.rule.max);
    this.hits.set(key, recent);
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  get trackedKeys(): number {
    return this.hits.size;
  }

  private prune(key: string, t: number, since = -Infinity): number[] {
    const list = this.hits.get(key);
    if (!list) return [];
    // A timestamp in the future (clock stepped back) still counts: it must not free the key early.
    // Only an explicit unlock (`since`) forgets failures early.
    const recent = list.filter((at) => t - at < this.rule.windowMs && at >= since);
    if (recent.length === 0) this.hits.delete(key);
    else this.hits.set(key, recent);
    return recent;
  }

  private sweep(t: number): void {
    for (const key of [...this.hits.keys()]) this.prune(key, t);
  }
}

export interface LoginLimits {
  readonly perAccount: LimitRule;
  readonly perAddress: LimitRule;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: { max: 5, windowMs: 15 * 60_000 },
  perAddress: { max: 20, windowMs: 15 * 60_000 },
};

/** Both limits at once. Usernames are lower-cased so "Admin" and "admin" share one window. */
export class LoginRateLimiter {
  private readonly accounts: SlidingWindowLimiter;
  private readonly addresses: SlidingWindowLimiter;

  constructor(now: () => number = Date.now, limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.accounts = new SlidingWindowLimiter(limits.perAccount, now);
    this.addresses = new SlidingWindowLimiter(limits.perAddress, now);
  }

  /** `unlockedAt`: when an admin last unlocked this account (failures before it no longer count). */
  check(username: string, address: string, unlockedAt?: number): LimitDecision {
    const a = this.accounts.check(accountKey(username), unlockedAt);
    const b = this.addresses.check(address);
    if (a.allowed && b.allowed) return a;
    return { allowed: false, retryAfterMs: Math.max(a.allowed ? 0 : a.retryAfterMs, b.allowed ? 0 : b.retryAfterMs) };
  }

  fail(username: string, address: string, unlockedAt?: number): void {
    this.accounts.fail(accountKey(username), unlockedAt);
    this.addresses.fail(address);
  }

  /**
   * Failed attempts left before sign-in is refused for this account from this address (the lower
   * of the two counts), and how long the refusal would last. Said to whoever is signing in
   * whether or not the account exists: unknown names are counted the same way.
   */
  attemptsLeft(username: string, address: string, unlockedAt?: number): { readonly left: number; readonly lockMinutes: number } {
    const left = Math.min(this.accounts.remaining(accountKey(username), unlockedAt), this.addresses.remaining(address));
    return { left, lockMinutes: retryAfterMinutes(this.accounts.windowMs) };
  }

  /** Minutes until the account may sign in again from anywhere (0: not locked), for the admin's users list. */
  accountLockedMinutes(username: string, unlockedAt?: number): number {
    const decision = this.accounts.check(accountKey(username), unlockedAt);
    return decision.allowed ? 0 : retryAfterMinutes(decision.retryAfterMs);
  }

  /** A good password clears the account's window; the address keeps its count (it may be spraying). */
  succeed(username: string): void {
    this.accounts.reset(accountKey(username));
  }
}

const accountKey = (username: string) => username.trim().toLowerCase();

/** Whole minutes, rounded up, for "try again in N minutes". */
export const retryAfterMinutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));
