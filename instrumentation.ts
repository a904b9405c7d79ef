/**
 * Runs once when the console server starts, before it handles requests:
 * 0. validates every setting (server/services/config-check.ts) and refuses to start on any error,
 *    naming each setting, its problem and the fix;
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
  // Every setting checked first: one message per problem, and no start on any error (issue 16).
  const { requireValidConfig } = await import('./server/services/config-check');
  const { resolveDataDir } = await import('./server/services/config');
  requireValidConfig(process.env, {
    dataDir: resolveDataDir(),
    extraChecks: { NIGHTCORE_TRUSTED_PROXIES: (value) => problemOf(() => parseTrustedProxies(value), 'NIGHTCORE_TRUSTED_PROXIES: ') },
    warn: (line) => console.error(line),
  });
  const { installForwardedHeaderGuard } = await import('./server/auth/forwarded-headers');
  installForwardedHeaderGuard(parseTrustedProxies(process.env.NIGHTCORE_TRUSTED_PROXIES));
  const { startServices } = await import('./server/services/instance');
  await startServices();
}

/** The message a parser throws, without its own setting-name prefix (the config report adds it). */
function problemOf(parse: () => unknown, prefix: string): string | undefined {
  try {
    parse();
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    return message.startsWith(prefix) ? message.slice(prefix.length) : message;
  }
}
