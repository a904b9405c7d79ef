/**
 * Runs once when the console server starts, before it handles requests:
 * 1. installs the forwarded-header guard (server/auth/forwarded-headers.ts): the client address and
 *    host come from the socket and the Host header unless NIGHTCORE_TRUSTED_PROXIES names the
 *    reverse proxy; a malformed setting stops the start;
 * 2. upgrades a data folder written by an earlier release (backup first, audit chain checked before
 *    and after) and opens the services, so that a bad policy stops the start, and the first admin's
 *    generated password is printed at boot rather than on the first request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { parseTrustedProxies } = await import('./server/auth/trusted-proxies');
  const { installForwardedHeaderGuard } = await import('./server/auth/forwarded-headers');
  installForwardedHeaderGuard(parseTrustedProxies(process.env.NIGHTCORE_TRUSTED_PROXIES));
  const { startServices } = await import('./server/services/instance');
  await startServices();
}
