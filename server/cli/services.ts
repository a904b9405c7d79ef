/**
 * Opens the services for one command and always closes them, whatever the command returns.
 * No preparation thread here: a command serves no other requests, and starting that thread
 * (which loads TypeScript) would cost every command about a second.
 */
import { openServices, type Services } from '../services';
import { resolveBackend, resolveDataDir, resolveNodes, resolvePolicyPath, resolvePoolSize } from '../services/config';
import type { CommandContext } from './command';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';

export async function withServices<T>(values: CommandContext['values'], fn: (s: Services) => T | Promise<T>): Promise<T> {
  const flag = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const services = openServices({ dataDir: resolveDataDir(flag('data')), policyPath: resolvePolicyPath(flag('policy')), poolSize: resolvePoolSize(), backend: resolveBackend(), nodes: resolveNodes(), workerUrl: DEFAULT_WORKER_URL });
  // The data folder's policy is its newest revision; say so when the configured file differs.
  if (services.policyNotice) process.stderr.write(`note: ${services.policyNotice}\n`);
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}
