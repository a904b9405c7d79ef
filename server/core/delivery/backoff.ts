/**
 * Retry delays: exponential from `baseMs`, capped at `maxMs`, with jitter so that many
 * destinations failing together (a receiver restart) do not retry in lockstep. "Equal jitter":
 * the delay is between half and all of the exponential step, so it still grows with each failure.
 */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 5 * 60_000 };

/** The wait after the `failures`-th consecutive failure (1 = the first). `random` is in [0, 1). */
export function backoffDelayMs(failures: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  if (!Number.isSafeInteger(failures) || failures < 1) throw new RangeError('failures must be a positive integer');
  // 2^30 already exceeds any sane cap; clamping the exponent keeps the arithmetic finite.
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(failures - 1, 30));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (step / 2) * r);
}
