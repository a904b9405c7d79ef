/** Runs the real `nightcore` CLI against the run's data folder (seeding happens the way an admin would). */
import { spawnSync } from 'node:child_process';

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function nightcore(dataDir: string, args: readonly string[], stdin?: string): CliResult {
  const result = spawnSync(process.execPath, ['bin/nightcore.mjs', ...args, '--data', dataDir], {
    input: stdin,
    encoding: 'utf8',
    timeout: 60_000,
    // The CLI must not pick up a developer's own data folder or policy from the shell.
    env: { ...process.env, NIGHTCORE_DATA: dataDir, NIGHTCORE_POLICY: '' },
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

/** Same, but a non-zero exit throws with the command's output. */
export function nightcoreOrThrow(dataDir: string, args: readonly string[], stdin?: string): CliResult {
  const result = nightcore(dataDir, args, stdin);
  if (result.status !== 0) {
    throw new Error(`nightcore ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}
