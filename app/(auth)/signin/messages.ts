/** One message for every credential failure: it never tells whether the username exists. */
export const INVALID_CREDENTIALS = 'Invalid username or password.';

export const rateLimitedMessage = (minutes?: number) =>
  minutes ? `Too many attempts, try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` : 'Too many attempts, try again later.';
