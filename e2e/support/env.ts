/**
 * Where the end-to-end run lives: one port on loopback, one temp folder per run (made by
 * global-setup.ts, announced to the workers through NIGHTCORE_E2E_DIR). Shared by the config,
 * the global setup and the fixtures so they cannot disagree.
 */
import { join } from 'node:path';

/** A port unlikely to collide with a developer's `next dev` (3000); override with NIGHTCORE_E2E_PORT. */
export const PORT = Number(process.env.NIGHTCORE_E2E_PORT ?? 3917);
// 127.0.0.1, not localhost: the server binds to loopback only and cookies are kept per host.
export const BASE_URL = `http://127.0.0.1:${PORT}`;

export const CHROMIUM = process.env.NIGHTCORE_CHROMIUM ?? '/usr/bin/chromium';
// Flags that let Debian's chromium run as root inside a container without reaching the network.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const RUN_DIR_ENV = 'NIGHTCORE_E2E_DIR';

/** The run folder made by global setup; a spec started without it gets a clear message. */
export function runDir(): string {
  const dir = process.env[RUN_DIR_ENV];
  if (!dir) throw new Error(`${RUN_DIR_ENV} is not set: run the specs through \`playwright test\` so e2e/global-setup.ts prepares the server`);
  return dir;
}

export const dataDirOf = (run: string) => join(run, 'data');
export const stateFileOf = (run: string, role: string) => join(run, 'auth', `${role}.json`);
export const serverLogOf = (run: string) => join(run, 'server.log');
