/**
 * Opens the services for one command and always closes them, whatever the command returns.
 * No preparation thread here: a command serves no other requests, so module work on its own thread
 * stalls nobody, and starting that thread would cost every command a thread start. What it prepares
 * is persisted in the data folder all the same, so the next command does not instrument it again.
 */
import { openServices, ServiceStartError, type Services } from '../services';
import { recordUpgrade, upgradeDataFolder, UpgradeError, type UpgradeReport } from '../services/upgrade';
import { resolveBackend, resolveDataDir, resolveLicenseVendorKeys, resolveNodes, resolvePolicyPath, resolvePoolSize } from '../services/config';
import type { CommandContext } from './command';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';

export interface CommandServiceOptions {
  /**
   * A command about to run a module: start one executor when the services open, before the policy is
   * parsed and the database opened, so that its start (a thread, or a jail) overlaps all of that
   * instead of following it (issue 14: it was the last thing `nightcore run` waited for).
   */
  readonly runsModule?: boolean;
}

export async function withServices<T>(
  values: CommandContext['values'], fn: (s: Services, upgrade?: UpgradeReport) => T | Promise<T>, options: CommandServiceOptions = {},
): Promise<T> {
  const flag = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const dataDir = resolveDataDir(flag('data'));
  const upgrade = await upgradeOrExplain(dataDir);
  const services = openServices({
    dataDir, policyPath: resolvePolicyPath(flag('policy')), poolSize: resolvePoolSize(), backend: resolveBackend(), nodes: resolveNodes(),
    licenseKeys: resolveLicenseVendorKeys(), workerUrl: DEFAULT_WORKER_URL, prespawn: options.runsModule ? 1 : undefined,
  });
  // The data folder's policy is its newest revision; say so when the configured file differs.
  if (services.policyNotice) process.stderr.write(`note: ${services.policyNotice}\n`);
  try {
    recordUpgrade(services.audit, upgrade);
    return await fn(services, upgrade);
  } finally {
    await services.close();
  }
}

/** A folder written by an earlier release is upgraded first (backup, chain checked before and after). */
export async function upgradeOrExplain(dataDir: string): Promise<UpgradeReport | undefined> {
  try {
    const report = await upgradeDataFolder(dataDir);
    if (report) process.stderr.write(`upgraded the data folder from ${report.from} to ${report.to}, applying ${report.applied.join(', ')} (backup: ${report.backup})\n`);
    return report;
  } catch (e) {
    if (e instanceof UpgradeError) throw new ServiceStartError(e.code, e.message);
    throw e;
  }
}
