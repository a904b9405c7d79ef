/** One message for every credential failure: it never tells whether the username exists. */
export const INVALID_CREDENTIALS = 'Invalid username or password.';

export const rateLimitedMessage = (minutes?: number) =>
  minutes ? `Too many attempts, try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` : 'Too many attempts, try again later.';

/** Said before the lock, for real and unknown names alike (both are counted). */
export const attemptsLeftMessage = (left: number, minutes?: number) =>
  `${INVALID_CREDENTIALS} ${left} attempt${left === 1 ? '' : 's'} left before sign-in is paused for ${minutes ?? 15} minute${minutes === 1 ? '' : 's'}.`;

/** `attempts_left_N` from the URL or the error, N from 1 to 9 (anything else is not ours). */
export function attemptsLeftFromCode(code: string | undefined): number | undefined {
  const match = /^attempts_left_([1-9])$/.exec(code ?? '');
  return match ? Number(match[1]) : undefined;
}
