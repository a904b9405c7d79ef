/**
 * The console's process-wide services, opened once on first use. Configuration comes from the
 * environment here, at the edge, never inside the core.
 */
import { openServices, type Services } from './index';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { consolePoolSize, resolveBackend, resolveDataDir, resolveLicenseVendorKeys, resolveNodes, resolvePolicyPath, resolvePoolSize } from './config';
import { ensureInitialAdmin } from './initial-admin';
import { setBusyTimeout } from '../../db/client';
import { recordUpgrade, upgradeDataFolder } from './upgrade';

/**
 * The console's thread serves every request, so it waits at most this long for another process's
 * database lock (enough to ride out a WAL checkpoint's fsync); past that the request gets a
 * retryable 503 (server/api/database-busy.ts) instead of the thread freezing for seconds.
 */
export const SERVING_BUSY_TIMEOUT_MS = 20;

const globalForServices = globalThis as unknown as { nightcoreServices?: Services };

/**
 * The console's start (instrumentation.ts): upgrades a data folder written by an earlier release
 * (backup first, audit chain checked before and after; a failure stops the start with its reason),
 * then opens the services and records the upgrade.
 */
export async function startServices(): Promise<Services> {
  if (globalForServices.nightcoreServices) return globalForServices.nightcoreServices;
  const upgrade = await upgradeDataFolder(resolveDataDir());
  if (upgrade) console.log(`[nightcore] upgraded the data folder from ${upgrade.from} to ${upgrade.to}, applying ${upgrade.applied.join(', ')} (backup: ${upgrade.backup})`);
  const services = getServices();
  recordUpgrade(services.audit, upgrade);
  return services;
}

export function getServices(): Services {
  if (!globalForServices.nightcoreServices) {
    const services = openServices({
      dataDir: resolveDataDir(),
      policyPath: resolvePolicyPath(),
      poolSize: resolvePoolSize() ?? consolePoolSize(),
      backend: resolveBackend(),
      nodes: resolveNodes(),
      licenseKeys: resolveLicenseVendorKeys(),
      prespawn: true,
      deliver: true,
      // Bundled into the Next.js server, this file no longer sits beside the worker: find it from the app root.
      workerUrl: pathToFileURL(join(process.cwd(), 'server', 'core', 'sandbox', 'worker-threads', 'worker.mjs')),
      instrumentWorkerUrl: pathToFileURL(join(process.cwd(), 'server', 'services', 'instrument-worker.mjs')),
      checkpointWorkerUrl: pathToFileURL(join(process.cwd(), 'db', 'wal-checkpoint-worker.mjs')),
    });
    const admin = ensureInitialAdmin(services, { NIGHTCORE_ADMIN_PASSWORD: process.env.NIGHTCORE_ADMIN_PASSWORD }, (line) => console.log(line));
    if (!admin.ok) {
      services.close();
      throw new Error(`cannot start: ${admin.message}`); // fail closed: a misconfigured start serves nothing
    }
    // Start-up (migrations, the first admin) may wait for a lock like the CLI; serving may not.
    setBusyTimeout(services.handle.sqlite, SERVING_BUSY_TIMEOUT_MS);
    globalForServices.nightcoreServices = services;
  }
  return globalForServices.nightcoreServices;
}
