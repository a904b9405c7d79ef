/** `nightcore run --dir HOST::GUEST --save GUEST::HOST --env NAME=VALUE`: parsing and what happens after the decision. */
import { UsageError } from './io';
import { splitMapping, saveGuestDir, type DirMapping, type Saved } from '../services/host-dirs';
import type { Preopen } from '../core/sandbox';
import type { RunReport } from '../core/run';

export interface RunFiles {
  readonly dirs: readonly DirMapping[];
  readonly saves: readonly { readonly guest: string; readonly host: string }[];
  readonly env: Readonly<Record<string, string>>;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);
/** Guest folders are absolute (`/` or `/data`), as wasmtime's `--dir host::/data`. */
const guestOk = (g: string) => g.startsWith('/') && !g.split('/').some((p) => p === '.' || p === '..');

export function parseRunFiles(values: Record<string, unknown>): RunFiles {
  const dirs = list(values.dir).map((text) => {
    const m = splitMapping(text);
    if (!m || !guestOk(m.right)) throw new UsageError(`--dir must be HOST::GUEST with an absolute guest folder (e.g. ./in::/data), got ${JSON.stringify(text)}`);
    return { host: m.left, guest: m.right };
  });
  if (new Set(dirs.map((d) => d.guest)).size !== dirs.length) throw new UsageError('--dir: each guest folder may be given once');
  const saves = list(values.save).map((text) => {
    const m = splitMapping(text);
    if (!m) throw new UsageError(`--save must be GUEST::HOST, got ${JSON.stringify(text)}`);
    if (!dirs.some((d) => d.guest === m.left)) throw new UsageError(`--save ${m.left}: not a guest folder given with --dir`);
    return { guest: m.left, host: m.right };
  });
  const env: Record<string, string> = {};
  for (const text of list(values.env)) {
    const at = text.indexOf('=');
    const name = at > 0 ? text.slice(0, at) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--env must be NAME=VALUE with a valid name, got ${JSON.stringify(text)}`);
    if (Object.prototype.hasOwnProperty.call(env, name)) throw new UsageError(`--env ${name} given twice`);
    env[name] = text.slice(at + 1);
  }
  return { dirs, saves, env };
}

export type SaveOutcome = { readonly saved: readonly Saved[]; readonly withheld: boolean; readonly errors: readonly string[] };

/** Writes the requested guest folders only when the decision is allow; a denied run's outputs never leave. */
export function releaseOutputs(report: RunReport, saves: RunFiles['saves']): SaveOutcome {
  if (saves.length === 0) return { saved: [], withheld: false, errors: [] };
  if (report.record.decision !== 'allow' || !report.outputs) return { saved: [], withheld: true, errors: [] };
  const saved: Saved[] = [];
  const errors: string[] = [];
  for (const { guest, host } of saves) {
    const dir = report.outputs.find((d: Preopen) => d.guestPath === guest);
    if (!dir) {
      errors.push(`--save ${guest}: the run returned no such folder`);
      continue;
    }
    const r = saveGuestDir(dir, host);
    if (r.ok) saved.push(r.value);
    else errors.push(r.message);
  }
  return { saved, withheld: false, errors };
}
