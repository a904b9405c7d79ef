/**
 * One end-to-end run: a fresh temp folder with a data folder seeded through the real CLI (a PRO
 * license signed by a per-run test vendor key, the four accounts, the example publisher key),
 * then the built console started on loopback, then one signed-in storage state per role. Returns the teardown: stop the server (by pid), delete the folder.
 * The server log is copied to test-results/server.log; set NIGHTCORE_E2E_KEEP=1 to keep the whole
 * folder (database included) for a post-mortem.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type FullConfig } from '@playwright/test';
import { ACCOUNTS, ROLES } from './support/accounts';
import { signInViaApi } from './support/auth-api';
import { nightcoreOrThrow } from './support/cli';
import { startServer } from './support/server';
import { e2eLicenseFile, prepareTestVendorKey } from './support/license';
import { BASE_URL, PORT, RUN_DIR_ENV, dataDirOf, serverLogOf, stateFileOf } from './support/env';

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const run = mkdtempSync(join(tmpdir(), 'nightcore-e2e-'));
  const dataDir = dataDirOf(run);
  mkdirSync(join(run, 'auth'), { recursive: true });
  // Workers are started after global setup and inherit this environment.
  process.env[RUN_DIR_ENV] = run;

  const removeRun = () => {
    // The server's log outlives the run folder, beside the traces and screenshots of failures.
    if (existsSync(serverLogOf(run))) {
      mkdirSync('test-results', { recursive: true });
      copyFileSync(serverLogOf(run), join('test-results', 'server.log'));
    }
    if (process.env.NIGHTCORE_E2E_KEEP) console.log(`[e2e] kept ${run}`);
    else rmSync(run, { recursive: true, force: true });
  };

  let server;
  try {
    // A PRO license signed by this run's TEST vendor key (the server accepts that key only because
    // NIGHTCORE_NON_PRODUCTION=1 says it is not production; e2e/support/license.ts).
    prepareTestVendorKey(run);
    const licenseFile = join(run, 'license.json');
    writeFileSync(licenseFile, e2eLicenseFile({}, run));
    nightcoreOrThrow(dataDir, ['license', 'install', licenseFile]);
    // Seeded before the server opens the database, the way an admin would set up a new install.
    for (const role of ROLES) {
      const { username, password } = ACCOUNTS[role];
      nightcoreOrThrow(dataDir, ['user', 'add', username, '--role', role, '--password-stdin'], `${password}\n`);
    }
    nightcoreOrThrow(dataDir, ['trust', 'add', 'examples/example-publisher.pub', '--role', 'publisher', '--name', 'Night Core example']);
    server = await startServer({ port: PORT, baseURL: BASE_URL, dataDir, logFile: serverLogOf(run), adminPassword: ACCOUNTS.admin.password });
  } catch (e) {
    removeRun();
    throw e;
  }
  const running = server;
  const teardown = async () => {
    await running.stop();
    removeRun();
  };

  try {
    for (const role of ROLES) {
      const context = await request.newContext({ baseURL: BASE_URL });
      try {
        const session = await signInViaApi(context, BASE_URL, ACCOUNTS[role]);
        if (session.user.role !== role) throw new Error(`${role} signed in with role ${session.user.role}`);
        await context.storageState({ path: stateFileOf(run, role) });
      } finally {
        await context.dispose();
      }
    }
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
