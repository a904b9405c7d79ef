/**
 * Configuration validation (issue 16): every setting, from the environment and from files, checked
 * at once with zod, one problem per bad setting naming the setting, what is wrong and how to fix it.
 * Unknown NIGHTCORE_* variables are reported with the closest known name (a typo would otherwise
 * silently leave a default in force). The console refuses to start on any error
 * (instrumentation.ts); `nightcore config check` prints the effective configuration, where each
 * value came from, secrets masked.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadPolicyFile, defaultPolicyPath } from './policy-store';
import { loadWitnessConfig, WITNESSES_FILE } from './witness-client';
import { resolveLicenseVendorKeys } from './config';

export type Env = Readonly<Record<string, string | undefined>>;
export type Source = 'default' | 'env' | 'file';

export interface EffectiveSetting {
  readonly name: string;
  /** the value in force; secrets are shown as "(set, N characters)" */
  readonly value: string;
  readonly source: Source;
  readonly secret: boolean;
}

export interface ConfigProblem {
  readonly setting: string;
  readonly severity: 'error' | 'warning';
  readonly problem: string;
  readonly fix: string;
}

export interface ConfigReport {
  readonly settings: readonly EffectiveSetting[];
  readonly problems: readonly ConfigProblem[];
}

export const problemText = (p: ConfigProblem): string => `${p.setting}: ${p.problem}${/[.?!]$/.test(p.problem) ? '' : '.'} Fix: ${p.fix}`;

interface Spec {
  readonly name: string;
  readonly secret?: boolean;
  /** shown when unset */
  readonly fallback: string;
  readonly schema?: z.ZodType<unknown>;
  readonly fix: string;
}

const text = (message: string) => z.string().trim().min(1, message);
const wholeNumber = (min: number, max: number, what: string) =>
  z.string().trim().regex(/^\d+$/, `must be a whole number, ${what}`).refine((v) => Number(v) >= min && Number(v) <= max, `must be from ${min} to ${max}`);
const NODE_ENTRY = /^[0-9a-f]{64}@https?:\/\/[^\s/]+\/?$/;

const SPECS: readonly Spec[] = [
  { name: 'PORT', fallback: '3000', schema: wholeNumber(1, 65535, 'a TCP port'), fix: 'set PORT to a free TCP port such as 3000' },
  { name: 'NIGHTCORE_DATA', fallback: './data', schema: text('is empty'), fix: 'set NIGHTCORE_DATA to the data folder, or unset it for ./data' },
  { name: 'NIGHTCORE_POLICY', fallback: 'policies/default.json', schema: text('is empty'), fix: 'point NIGHTCORE_POLICY at a policy file (nightcore policy check FILE), or unset it for the shipped default' },
  { name: 'NIGHTCORE_ADMIN_PASSWORD', secret: true, fallback: 'generated and printed once', schema: z.string().min(12, 'is shorter than 12 characters'), fix: 'use a password of at least 12 characters, or unset it to have one generated' },
  { name: 'AUTH_SECRET', secret: true, fallback: 'generated in the data folder', schema: z.string().min(32, 'is shorter than 32 characters'), fix: 'use at least 32 random characters (openssl rand -base64 32), or unset it to keep one in the data folder' },
  { name: 'NIGHTCORE_BACKEND', fallback: 'worker-threads', schema: z.enum(['worker-threads', 'process', 'remote'], { error: 'must be worker-threads, process or remote' }), fix: 'set NIGHTCORE_BACKEND to worker-threads, process or remote' },
  {
    name: 'NIGHTCORE_NODES',
    fallback: '(none)',
    schema: z.string().refine((v) => v.split(',').every((e) => NODE_ENTRY.test(e.trim())), 'has an entry that is not keyid@http://host:port (a full 64-digit key id)'),
    fix: 'list the nodes as keyid@http://host:port separated by commas (the key id from nightcore trust list)',
  },
  { name: 'NIGHTCORE_POOL_SIZE', fallback: 'CPU cores − 1 (console), cores (CLI)', schema: wholeNumber(1, 256, 'the number of sandbox workers'), fix: 'set NIGHTCORE_POOL_SIZE to a whole number from 1 to 256, or unset it' },
  { name: 'NIGHTCORE_TRUSTED_PROXIES', fallback: '(none: the socket address is the client)', fix: 'give a hop count (1) or addresses and CIDR ranges (10.0.0.0/8, ::1, loopback), or unset it' },
  { name: 'NIGHTCORE_METRICS_TOKEN', secret: true, fallback: '(unset: /metrics is off)', schema: z.string().min(16, 'is shorter than 16 characters').regex(/^\S+$/, 'contains whitespace'), fix: 'use at least 16 random characters without spaces (openssl rand -hex 24), or unset it to turn /metrics off' },
  { name: 'NIGHTCORE_CHROMIUM', fallback: '/usr/bin/chromium', fix: "install Debian's chromium, or point NIGHTCORE_CHROMIUM at an executable Chromium" },
  { name: 'NIGHTCORE_CLI_CACHE_DIR', fallback: 'node_modules/.cache/nightcore-cli', schema: text('is empty'), fix: 'set it to a folder only you can write, or unset it' },
  { name: 'NIGHTCORE_LICENSE_TEST_KEY', fallback: '(none: only the vendor key)', fix: 'unset it on a production server; elsewhere set NIGHTCORE_NON_PRODUCTION=1 and a base64 Ed25519 public key' },
  { name: 'NIGHTCORE_NON_PRODUCTION', fallback: '(unset)', schema: z.literal('1', { error: 'must be 1 when set' }), fix: 'set it to 1 on a test installation, or unset it' },
  // The browser test harness's own variables (e2e/support): known, so they are not reported as typos.
  { name: 'NIGHTCORE_E2E_PORT', fallback: '3917', schema: wholeNumber(1, 65535, 'a TCP port'), fix: 'set it to a free port for the browser tests' },
  { name: 'NIGHTCORE_E2E_DIR', fallback: '(set by the e2e setup)', fix: 'leave it to the e2e setup' },
  { name: 'NIGHTCORE_E2E_KEEP', fallback: '(unset)', fix: 'set it to 1 to keep the e2e run folder' },
];

export const KNOWN_SETTINGS: readonly string[] = SPECS.map((s) => s.name);

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function closestSetting(name: string): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const known of KNOWN_SETTINGS) {
    const d = editDistance(name, known);
    if (!best || d < best.d) best = { name: known, d };
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 4)) ? best.name : undefined;
}

const mask = (v: string): string => `(set, ${v.length} characters)`;

export interface CheckOptions {
  /** The data folder (for file settings: witnesses.json, the kept session secret). */
  readonly dataDir?: string;
  /** Checks that live above the services (the trusted-proxy parser in server/auth): name → problem or undefined. */
  readonly extraChecks?: Readonly<Record<string, (value: string) => string | undefined>>;
}

/** Every setting checked; never throws. */
export function checkConfig(env: Env, options: CheckOptions = {}): ConfigReport {
  const settings: EffectiveSetting[] = [];
  const problems: ConfigProblem[] = [];
  const error = (spec: Spec, problem: string) => problems.push({ setting: spec.name, severity: 'error', problem, fix: spec.fix });

  for (const spec of SPECS) {
    const raw = env[spec.name];
    const set = raw !== undefined && raw !== '';
    settings.push({ name: spec.name, value: set ? (spec.secret ? mask(raw) : raw) : spec.fallback, source: set ? 'env' : 'default', secret: Boolean(spec.secret) });
    if (!set) continue;
    const parsed = spec.schema?.safeParse(raw);
    // A secret's value never appears in a message; other values are quoted so blanks show.
    const shown = spec.secret ? '' : ` ("${raw}")`;
    if (parsed && !parsed.success) error(spec, `the value${shown} ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
    const extra = options.extraChecks?.[spec.name]?.(raw);
    if (extra) error(spec, extra);
  }

  // Settings that depend on each other or on the filesystem.
  const spec = (name: string) => SPECS.find((s) => s.name === name)!;
  if (env.NIGHTCORE_BACKEND?.trim() === 'remote' && !env.NIGHTCORE_NODES?.trim()) {
    error(spec('NIGHTCORE_NODES'), 'is required by NIGHTCORE_BACKEND=remote and is not set');
  }
  const chromium = env.NIGHTCORE_CHROMIUM?.trim();
  if (chromium) {
    try {
      accessSync(chromium, constants.X_OK);
    } catch {
      error(spec('NIGHTCORE_CHROMIUM'), `"${chromium}" is not an executable file`);
    }
  }
  try {
    resolveLicenseVendorKeys(env);
  } catch (e) {
    error(spec('NIGHTCORE_LICENSE_TEST_KEY'), (e as Error).message.replace(/^NIGHTCORE_LICENSE_TEST_KEY: /, '').replace(/; refusing to start.*$/, ''));
  }

  // Files.
  const policyPath = env.NIGHTCORE_POLICY?.trim() ? resolve(env.NIGHTCORE_POLICY.trim()) : defaultPolicyPath();
  const policy = loadPolicyFile(policyPath);
  settings.push({ name: 'policy file', value: policy.ok ? `${policyPath} (${policy.value.policy.name} revision ${policy.value.policy.revision})` : policyPath, source: 'file', secret: false });
  if (!policy.ok) {
    problems.push({ setting: 'NIGHTCORE_POLICY', severity: 'error', problem: `${policy.code}: ${policy.message}${policy.issues?.length ? ` (${policy.issues.join('; ')})` : ''}`, fix: `correct the file (nightcore policy check ${policyPath}) or point NIGHTCORE_POLICY at a valid one` });
  }
  if (options.dataDir) {
    const witnesses = join(options.dataDir, WITNESSES_FILE);
    if (existsSync(witnesses)) {
      const loaded = loadWitnessConfig(options.dataDir);
      settings.push({ name: WITNESSES_FILE, value: loaded.ok ? `${witnesses} (${loaded.value.length} witness${loaded.value.length === 1 ? '' : 'es'})` : witnesses, source: 'file', secret: false });
      if (!loaded.ok) problems.push({ setting: WITNESSES_FILE, severity: 'error', problem: loaded.message, fix: `correct ${witnesses} (see docs/audit-log.md, witnesses) or move it away` });
    }
    const authSecret = settings.find((s) => s.name === 'AUTH_SECRET')!;
    if (authSecret.source === 'default' && existsSync(join(options.dataDir, 'auth-secret'))) {
      settings[settings.indexOf(authSecret)] = { ...authSecret, value: `(kept in ${join(options.dataDir, 'auth-secret')})`, source: 'file' };
    }
  }

  // Typos: NIGHTCORE_* names nobody reads.
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('NIGHTCORE_') || KNOWN_SETTINGS.includes(name)) continue;
    const near = closestSetting(name);
    problems.push({
      setting: name,
      severity: 'warning',
      problem: `is not a Night Core setting and is ignored${near ? ` (did you mean ${near}?)` : ''}`,
      fix: near ? `rename it to ${near}` : 'remove it (the settings are listed in docs/operations.md)',
    });
  }
  return { settings, problems };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`the configuration is invalid; Night Core will not start:\n${problems.map((p) => `  - ${problemText(p)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** For a server's start: throws ConfigError listing every error; warnings go to `warn`. */
export function requireValidConfig(env: Env, options: CheckOptions & { readonly warn?: (line: string) => void } = {}): ConfigReport {
  const report = checkConfig(env, options);
  for (const p of report.problems) if (p.severity === 'warning') options.warn?.(`configuration warning: ${problemText(p)}`);
  const errors = report.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new ConfigError(errors);
  return report;
}
