/**
 * Runs once when the console server starts: opens the services so that migrations apply, a bad
 * policy stops the start, and the first admin's generated password is printed at boot rather than
 * on the first request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getServices } = await import('./server/services/instance');
  getServices();
}
