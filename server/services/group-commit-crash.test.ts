/**
 * Crash consistency under group commit: a process with eight runs in flight is killed with SIGKILL
 * (no shutdown, no final commit) in the middle of a burst. Every run whose result it had released
 * is on disk with its decision record and its run.started before it, the audit chain verifies,
 * and no decision exists without its start. Starts whose decision was lost are open starts, which
 * run-reconcile later turns into run.interrupted (run-reconcile.test.ts).
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openServices } from './index';
import { DEFAULT_WORKER_URL } from '../core/sandbox/worker-threads/worker-url';

const ROOT = join(import.meta.dirname, '../..');

/** Starts the burst, kills it with SIGKILL once `atLeast` runs were released; returns what it printed. */
function burstThenKill(atLeast: number): Promise<{ dataDir: string; decided: string[]; failed: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'server/services/test-burst-child.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killed && (out.match(/^decided /gm)?.length ?? 0) >= atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => {
      const lines = out.split('\n');
      const dataDir = lines.find((l) => l.startsWith('dataDir '))?.slice(8);
      if (!killed || signal !== 'SIGKILL' || !dataDir) return reject(new Error(`the burst did not run as planned: ${signal} ${stderr.slice(-2000)}`));
      // Only complete lines count: a line cut by the kill was never fully released.
      const complete = out.endsWith('\n') ? lines : lines.slice(0, -1);
      resolve({
        dataDir,
        decided: complete.filter((l) => l.startsWith('decided ')).map((l) => l.slice(8)),
        failed: complete.filter((l) => l.startsWith('failed ')),
      });
    });
  });
}

describe('group commit: kill -9 during a burst', () => {
  it('loses no released run, keeps every decision after its start, and the chain verifies', async () => {
    const { dataDir, decided, failed } = await burstThenKill(400);
    try {
      expect(failed).toEqual([]);
      expect(decided.length).toBeGreaterThanOrEqual(400);
      const services = openServices({ dataDir, poolSize: 1, workerUrl: DEFAULT_WORKER_URL });
      try {
        expect(services.audit.verify()).toMatchObject({ ok: true });
        for (const id of decided) {
          const run = services.runs.get(id);
          expect(run?.record.runId, `released run ${id} is missing after the crash`).toBe(id);
          expect(run?.record.decision).toBe('allow');
        }
        const sqlite = services.handle.sqlite;
        // Every decision has its start, earlier in the chain; every run row points at its own decision.
        const orphans = sqlite
          .prepare(
            `SELECT d.subject FROM audit_events d WHERE d.action = 'run.decided'
             AND NOT EXISTS (SELECT 1 FROM audit_events s WHERE s.action = 'run.started' AND s.subject = d.subject AND s.seq < d.seq)`,
          )
          .all();
        expect(orphans).toEqual([]);
        const rows = sqlite.prepare('SELECT count(*) AS n FROM runs').get() as { n: number };
        const decisions = sqlite.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'run.decided'").get() as { n: number };
        expect(rows.n).toBe(decisions.n);
        expect(rows.n).toBeGreaterThanOrEqual(decided.length);
      } finally {
        await services.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
