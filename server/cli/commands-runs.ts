/** `run`, `runs list`, `runs show`, `replay`, `policy check`: governed execution from the shell. */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from './command';
import { optionalString } from './command';
import { EXIT_OK, EXIT_REJECTED, UsageError, cliActor, reject } from './io';
import { withServices } from './services';
import { INPUT_LIMITS } from '../core/run';
import { loadPolicyFile } from '../services/policy-store';
import type { Services } from '../services';
import type { DecisionRecord } from '../core/guardian/decision-record';
import type { Verdict } from '../core/guardian';
import { parseRunFiles, releaseOutputs } from './run-dirs';
import { checkSaveTargets, snapshotHostDirs } from '../services/host-dirs';

const MAX_STDIN = INPUT_LIMITS.stdinBytes;

export function parseSeed(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,20}$/.test(text) || BigInt(text) >= 1n << 64n) throw new UsageError('--seed must be an unsigned 64-bit integer');
  return BigInt(text);
}

/** A bundle folder is imported first (idempotent, audited); otherwise `name` or `name@version`. */
export function resolveModule(s: Services, target: string) {
  if (isDirectory(target)) return s.modules.importFolder(target, cliActor());
  const at = target.lastIndexOf('@');
  const [name, version] = at > 0 ? [target.slice(0, at), target.slice(at + 1)] : [target, undefined];
  const row = version ? s.modules.find(name, version) : s.modules.latest(name);
  return row
    ? ({ ok: true, value: row } as const)
    : ({ ok: false, code: 'MODULE_NOT_FOUND', message: `no module ${target} has been imported (nightcore import <bundle>)` } as const);
}

function printVerdict(line: (t: string) => void, verdict: Verdict) {
  line(`${verdict.phase}-exec: ${verdict.decision.toUpperCase()} (policy ${verdict.policy.name} r${verdict.policy.revision}) — ${verdict.summary}`);
  for (const rule of verdict.rules) {
    if (rule.outcome === 'skip') continue;
    line(`  ${rule.outcome === 'pass' ? 'pass' : 'FAIL'}  ${rule.id.padEnd(22)} ${rule.explanation}`);
  }
}

export function printRecord(line: (t: string) => void, r: DecisionRecord) {
  line(`run ${r.runId}: ${r.decision.toUpperCase()} ${r.module.name}@${r.module.version}`);
  line(`  threat score ${r.threat.score} (${r.threat.band})`);
  printVerdict(line, r.pre);
  if (r.execution) {
    const o = r.execution.outcome;
    const detail = o.kind === 'ok' ? `exit ${o.exitCode}` : o.kind === 'trap' ? (o.message !== undefined ? `${o.trap}: ${o.message}` : o.trap) : o.kind === 'crashed' || o.kind === 'denied' ? (o as { message?: string; reason?: string }).message ?? (o as { reason?: string }).reason : '';
    line(`  outcome ${o.kind}${detail ? ` (${detail})` : ''}; fuel ${r.execution.used.fuel}/${r.granted.limits.fuel}, memory ${r.execution.used.peakMemoryPages}/${r.granted.limits.memoryPages} pages, ${r.execution.used.wallMs} ms, output ${r.execution.used.outputBytes} bytes`);
  }
  if (r.post) printVerdict(line, r.post);
  if (r.input.envWithheld?.length) line(`  environment withheld by the policy: ${r.input.envWithheld.join(', ')}`);
  for (const d of r.input.dirs ?? []) line(`  input ${d.guestPath}: ${d.entryCount} entries, ${d.bytes} bytes, tree ${d.treeSha256.slice(0, 16)}…`);
  if (r.quarantine) line(`  QUARANTINED: ${r.quarantine.reason}`);
}

/** `run --dry-run`: the verdict Guardian would give before running, with no side effects. */
function dryRun(values: Parameters<Command['run']>[0]['values'], target: string, out: Parameters<Command['run']>[0]['out']) {
  return withServices(values, (s) => {
    let module;
    if (isDirectory(target)) {
      const verified = s.modules.verifyFolder(target);
      // A folder that does not verify is refused with its verification code, as `verify` would.
      module = verified.ok ? s.modules.asStored(verified.value) : undefined;
      if (!module) return reject(out, verified as Extract<typeof verified, { ok: false }>);
    } else {
      const found = resolveModule(s, target);
      if (!found.ok) return reject(out, found);
      module = found.value;
    }
    const assessed = s.governor.assess(module, cliActor());
    if (!assessed.ok) return reject(out, assessed);
    const { pre, threat, grant } = assessed.value;
    out.data({ ok: pre.decision === 'allow', dryRun: true, module: `${module.name}@${module.version}`, pre, threat, granted: grant });
    out.line(`dry run of ${module.name}@${module.version} (nothing ran, nothing was recorded); threat score ${threat.score} (${threat.band})`);
    printVerdict((t) => out.line(t), pre);
    return pre.decision === 'allow' ? EXIT_OK : EXIT_REJECTED;
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export const run: Command = {
  name: 'run',
  summary: 'verify, check, run in the sandbox, check again and record the decision',
  usage:
    'nightcore run <bundle|module-name[@version]> [--json] [--dry-run] [--stdin FILE] [--seed N] [--policy FILE] [--dir HOST::GUEST ...] [--save GUEST::HOST ...] [--env NAME=VALUE ...] [-- args...]',
  options: {
    stdin: { type: 'string' },
    seed: { type: 'string' },
    policy: { type: 'string' },
    'dry-run': { type: 'boolean' },
    dir: { type: 'string', multiple: true },
    save: { type: 'string', multiple: true },
    env: { type: 'string', multiple: true },
  },
  optionHelp: {
    'dry-run': 'give the pre-exec verdict only: nothing runs, nothing is imported or recorded',
    stdin: 'file whose bytes the module reads on standard input',
    seed: 'seed of the deterministic random source (default: random, recorded)',
    policy: 'Guardian policy file (default: $NIGHTCORE_POLICY or policies/default.json)',
    dir: 'preopen a copy of host folder HOST as guest folder GUEST (repeatable); the host folder is never changed',
    save: 'after an allowed run, write guest folder GUEST to the NEW host folder HOST (repeatable); a denied run writes nothing',
    env: 'environment variable for the module (repeatable); it reaches the module only if the policy allows its name',
  },
  positionals: [1, 256],
  run({ values, positionals, out }) {
    const stdinFile = optionalString(values, 'stdin');
    // Too much input is a rejected run (INPUT_TOO_LARGE, exit 1, as the pipeline and the README say),
    // not a usage error; the size is checked before reading so a huge file is never loaded.
    if (stdinFile !== undefined && statSync(stdinFile).size > MAX_STDIN) {
      return reject(out, { code: 'INPUT_TOO_LARGE', message: `--stdin is larger than ${MAX_STDIN} bytes` });
    }
    const stdin = stdinFile === undefined ? new Uint8Array() : new Uint8Array(readFileSync(stdinFile));
    if (stdin.length > MAX_STDIN) return reject(out, { code: 'INPUT_TOO_LARGE', message: `--stdin is larger than ${MAX_STDIN} bytes` });
    const seed = parseSeed(optionalString(values, 'seed'));
    const [target, ...args] = positionals as [string, ...string[]];
    const files = parseRunFiles(values);
    if (values['dry-run'] === true) return dryRun(values, target, out);
    // Refused before anything runs: an existing --save target, or --dir folders over the input limits.
    const targets = checkSaveTargets(files.saves.map((x) => x.host));
    if (!targets.ok) return reject(out, targets);
    const dirs = snapshotHostDirs(files.dirs);
    if (!dirs.ok) return reject(out, dirs);
    return withServices(values, async (s) => {
      const module = resolveModule(s, target);
      if (!module.ok) return reject(out, module);
      const result = await s.governor.run(module.value, { args, stdin, seed, env: files.env, dirs: dirs.value }, cliActor());
      if (!result.ok) return reject(out, result);
      const { record, stdout, stderr } = result.value;
      const released = releaseOutputs(result.value, files.saves);
      if (out.json) {
        out.data({ ok: record.decision === 'allow', record, stdout: Buffer.from(stdout).toString('utf8'), stderr: Buffer.from(stderr).toString('utf8'), ...(files.saves.length > 0 ? { saved: released.saved, outputsWithheld: released.withheld, saveErrors: released.errors } : {}) });
      } else {
        process.stdout.write(stdout);
        process.stderr.write(stderr);
        printRecord((t) => out.error(t), record);
        for (const x of released.saved) out.error(`  saved ${x.guest} to ${x.host}: ${x.files} files, ${x.bytes} bytes${x.skippedLinks.length ? ` (links not recreated: ${x.skippedLinks.join(', ')})` : ''}`);
        if (released.withheld) out.error('  outputs withheld: the decision is deny, so no --save folder was written');
        for (const e of released.errors) out.error(`  ${e}`);
      }
      const okRun = record.decision === 'allow' && record.execution?.outcome.kind === 'ok' && released.errors.length === 0;
      return okRun ? EXIT_OK : EXIT_REJECTED;
    }, { runsModule: true });
  },
};

export const runsList: Command = {
  name: 'runs list',
  summary: 'list recorded runs, newest first',
  usage: 'nightcore runs list [--module NAME] [--decision allow|deny] [--limit N] [--json]',
  options: { module: { type: 'string' }, decision: { type: 'string' }, limit: { type: 'string' } },
  optionHelp: { module: 'only runs of this module', decision: 'allow or deny', limit: 'at most N runs (default 50, max 500)' },
  positionals: 0,
  run({ values, out }) {
    const decision = optionalString(values, 'decision');
    if (decision !== undefined && decision !== 'allow' && decision !== 'deny') throw new UsageError('--decision must be allow or deny');
    const limitText = optionalString(values, 'limit');
    const limit = limitText === undefined ? undefined : Number(limitText);
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new UsageError('--limit must be a positive whole number');
    return withServices(values, (s) => {
      const rows = s.runs.list({ module: optionalString(values, 'module'), decision, limit });
      out.data({ ok: true, runs: rows });
      if (rows.length === 0) out.line('no runs recorded');
      for (const r of rows) {
        out.line(`${r.id}  ${r.startedAt.toISOString()}  ${r.decision.padEnd(5)}  ${r.outcome.padEnd(12)}  ${r.moduleName}@${r.moduleVersion}  score ${r.threatScore}`);
      }
      return EXIT_OK;
    });
  },
};

export const runsShow: Command = {
  name: 'runs show',
  summary: 'show one run\'s full decision record',
  usage: 'nightcore runs show <run-id> [--json]',
  options: {},
  optionHelp: {},
  positionals: 1,
  run({ values, positionals, out }) {
    return withServices(values, (s) => {
      const row = s.runs.get(positionals[0]!);
      if (!row) return reject(out, { code: 'RUN_NOT_FOUND', message: `no run ${positionals[0]}` });
      out.data({ ok: true, record: row.record, stdout: row.stdout.toString('utf8'), stderr: row.stderr.toString('utf8') });
      printRecord((t) => out.line(t), row.record);
      return EXIT_OK;
    });
  },
};

export const replay: Command = {
  name: 'replay',
  summary: 're-execute a recorded run and confirm the same outcome, fuel and output digest',
  usage: 'nightcore replay <run-id> [--json]',
  options: {},
  optionHelp: {},
  positionals: 1,
  run({ values, positionals, out }) {
    return withServices(values, async (s) => {
      const result = await s.governor.replay(positionals[0]!, cliActor());
      if (!result.ok) return reject(out, result);
      const r = result.value;
      out.data({ ok: r.identical, ...r });
      if (r.attestation === 'verified') out.line(`the recorded node attestation verifies (node key from the trust store as of the run)`);
      if (r.identical) out.line(`replay of ${r.runId} identical: ${r.replayed.outcome}, fuel ${r.replayed.fuelUsed}, output ${r.replayed.outputSha256}`);
      else {
        out.line(`replay of ${r.runId} DIFFERS:`);
        for (const d of r.differences) out.line(`  ${d.field}: recorded ${d.recorded}, replayed ${d.replayed}`);
      }
      return r.identical ? EXIT_OK : EXIT_REJECTED;
    }, { runsModule: true });
  },
};

export const policyCheck: Command = {
  name: 'policy check',
  summary: 'validate a Guardian policy file and name every bad field',
  usage: 'nightcore policy check <file> [--json]',
  options: {},
  optionHelp: {},
  positionals: 1,
  run({ positionals, out }) {
    const loaded = loadPolicyFile(positionals[0]!);
    if (!loaded.ok) return reject(out, loaded);
    const p = loaded.value.policy;
    out.line(`policy ${p.name} revision ${p.revision} is valid (sha256 ${loaded.value.sha256})`);
    out.data({ ok: true, name: p.name, revision: p.revision, sha256: loaded.value.sha256 });
    return EXIT_OK;
  },
};
