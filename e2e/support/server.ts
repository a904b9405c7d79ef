/**
 * Starts the built console (`next start`) for one end-to-end run and stops it by its process id.
 * Started here rather than through Playwright's webServer option because the data folder must be
 * seeded BEFORE the server opens it, and Playwright starts web servers before global setup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';

export interface RunningServer {
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly port: number;
  readonly baseURL: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly adminPassword: string;
  readonly readyTimeoutMs?: number;
}

const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') : '(no log)');

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Resolves when nothing listens on the port; otherwise the readiness check below could hit someone else's server. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  if (!existsSync('.next/BUILD_ID')) {
    throw new Error('no production build: run `node node_modules/next/dist/bin/next build` first (npm test does this)');
  }
  if (!(await portIsFree(options.port))) {
    throw new Error(`port ${options.port} is already in use on 127.0.0.1: stop that process or set NIGHTCORE_E2E_PORT`);
  }
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', String(options.port), '-H', '127.0.0.1'], {
    // Own process group, so stop() ends next and anything it forked, and nothing else.
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(options.port),
      NIGHTCORE_DATA: options.dataDir,
      NIGHTCORE_ADMIN_PASSWORD: options.adminPassword,
      NIGHTCORE_POLICY: '',
    },
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start next');
  const done = exited(child);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
    }, 5_000);
    await done;
    clearTimeout(timer);
  };

  // Ready = the sign-in page renders (this also opens the database and services on first use).
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let lastProblem = 'not answering yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${tail(options.logFile)}`);
    try {
      const response = await fetch(`${options.baseURL}/signin`, { redirect: 'manual' });
      if (response.status === 200) return { pid, stop };
      lastProblem = `GET /signin answered ${response.status}`;
    } catch (e) {
      lastProblem = (e as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250)); // polling a start-up, not waiting in a test
  }
  await stop();
  throw new Error(`the console did not become ready on ${options.baseURL}: ${lastProblem}\n${tail(options.logFile)}`);
}
