/**
 * Quarantine from a terminal:
 * - `quarantine list`: what is held, why, and the signed releases collected so far;
 * - `quarantine add <name@version|digest> --reason T`: hold a module version (audited);
 * - `quarantine release <digest> --key F --reason T`: sign a release statement with your approval
 *   key on this machine; the entry is released when the approval policy's quorum is met (nobody
 *   releases alone unless the quorum is one person);
 * - `quarantine history`: releases, who signed them, when and why.
 */
import { readFileSync } from 'node:fs';
import { parsePrivateKeyFile } from '../core/crypto/keys';
import { APPROVAL_FORMAT, signStatement } from '../core/inbox';
import type { Services } from '../services/index';
import type { Command, CommandContext } from './command';
import { requireString } from './command';
import { EXIT_OK, UsageError, cliActor, reject } from './io';
import { withServices } from './services';

export interface QuarantineCommandDeps {
  readonly withServices: <T>(values: CommandContext['values'], fn: (s: Services) => T | Promise<T>) => Promise<T>;
  readonly now: () => Date;
  readonly actor: () => string;
}

const DEFAULT_DEPS: QuarantineCommandDeps = { withServices, now: () => new Date(), actor: cliActor };
const DIGEST_RE = /^[0-9a-f]{64}$/;
const POLICY_OPTION = { policy: { type: 'string' } } as const;
const POLICY_HELP = { policy: 'Guardian policy file (default: the shipped one)' };

export function createQuarantineCommands(deps: QuarantineCommandDeps = DEFAULT_DEPS) {
  const list: Command = {
    name: 'quarantine list',
    summary: 'list quarantined module versions, why, and the release approvals collected',
    usage: 'nightcore quarantine list',
    options: { ...POLICY_OPTION },
    optionHelp: POLICY_HELP,
    positionals: 0,
    run({ values, out }) {
      return deps.withServices(values, (s) => {
        const entries = s.quarantine.listActive().map((q) => ({ entry: q, release: s.releases.status(q) }));
        out.data({ ok: true, entries: entries.map(({ entry, release }) => ({ ...entry, release })) });
        if (entries.length === 0) out.line('nothing in quarantine');
        for (const { entry, release } of entries) {
          out.line(`${entry.moduleName}  ${entry.wasmSha256}  since ${entry.since.toISOString()}  (${entry.source}) ${entry.reason}`);
          out.line(`  release: ${release.detail}${release.counted.length ? `; signed by ${release.counted.map((c) => c.username).join(', ')}` : ''}`);
        }
        return EXIT_OK;
      });
    },
  };

  const add: Command = {
    name: 'quarantine add',
    summary: 'quarantine a module version (by name@version or wasm digest)',
    usage: 'nightcore quarantine add <name@version|digest> --reason TEXT',
    options: { reason: { type: 'string' }, ...POLICY_OPTION },
    optionHelp: { reason: 'why; recorded in the audit log', ...POLICY_HELP },
    positionals: 1,
    run({ values, positionals, out }) {
      const target = positionals[0]!;
      const reason = requireString(values, 'reason').trim();
      if (!reason) throw new UsageError('--reason must say why');
      return deps.withServices(values, (s) => {
        const at = target.lastIndexOf('@');
        const found = DIGEST_RE.test(target)
          ? s.modules.versionsWithDigest(target).map((v) => ({ name: v.name, wasmSha256: target }))[0]
          : at > 0
            ? s.modules.find(target.slice(0, at), target.slice(at + 1))
            : undefined;
        if (!found) return reject(out, { code: 'MODULE_NOT_FOUND', message: `no module version ${target}` });
        const before = s.quarantine.active(found.wasmSha256);
        const row = s.quarantine.add({ moduleName: found.name, wasmSha256: found.wasmSha256, reason, source: 'manual' }, deps.actor());
        out.line(before ? `${found.name} (${found.wasmSha256}) was already in quarantine since ${row.since.toISOString()}` : `quarantined ${found.name} (${found.wasmSha256})`);
        out.data({ ok: true, entry: row, alreadyQuarantined: before !== undefined });
        return EXIT_OK;
      });
    },
  };

  const release: Command = {
    name: 'quarantine release',
    summary: 'sign a release of a quarantined module version with your approval key',
    usage: 'nightcore quarantine release <wasm-digest> --key FILE --reason TEXT',
    options: { key: { type: 'string' }, reason: { type: 'string' }, ...POLICY_OPTION },
    optionHelp: { key: 'your private approval key (registered with nightcore approver-key add)', reason: 'why it is safe to run again; signed and recorded', ...POLICY_HELP },
    positionals: 1,
    run({ values, positionals, out }) {
      const digest = positionals[0]!;
      if (!DIGEST_RE.test(digest)) throw new UsageError('the module version is named by its wasm digest: 64 lower-case hex characters');
      const key = parsePrivateKeyFile(readFileSync(requireString(values, 'key'), 'utf8'));
      if (!key.ok) return reject(out, key);
      const reason = requireString(values, 'reason');
      return deps.withServices(values, (s) => {
        const entry = s.quarantine.active(digest);
        if (!entry) return reject(out, { code: 'NOT_QUARANTINED', message: `${digest} is not in quarantine` });
        const who = s.inbox.deciderOfKey(key.value.keyid);
        if (!who) return reject(out, { code: 'KEY_UNBOUND', message: `key ${key.value.keyid} is not registered to anyone (nightcore approver-key add)` });
        const signed = signStatement(
          { format: APPROVAL_FORMAT, ...s.releases.target(entry), decision: 'release', reason, time: deps.now().toISOString() },
          key.value.seed,
          key.value.keyid,
        );
        if (!signed.ok) return reject(out, signed);
        const result = s.releases.sign(entry.id, signed.value, who);
        if (!result.ok) return reject(out, result);
        out.line(result.value.released ? `released ${entry.moduleName} (${digest}): ${result.value.quorum.detail}` : `signed as ${who.username}; still in quarantine: ${result.value.quorum.detail}`);
        out.data({ ok: true, released: result.value.released, detail: result.value.quorum.detail });
        return EXIT_OK;
      });
    },
  };

  const history: Command = {
    name: 'quarantine history',
    summary: 'list releases from quarantine: who signed them, when and why',
    usage: 'nightcore quarantine history',
    options: { ...POLICY_OPTION },
    optionHelp: POLICY_HELP,
    positionals: 0,
    run({ values, out }) {
      return deps.withServices(values, (s) => {
        const rows = s.quarantine.released(50).map((r) => ({ ...r, approvals: s.releases.recorded(r.id) }));
        out.data({ ok: true, releases: rows });
        if (rows.length === 0) out.line('nothing has been released');
        for (const r of rows) {
          out.line(`${r.moduleName}  ${r.wasmSha256}  held ${r.since.toISOString()}  released ${r.releasedAt?.toISOString()}  by ${r.releasedBy}`);
          for (const a of r.approvals) out.line(`  ${a.username}  ${a.time}  ${a.reason}`);
        }
        return EXIT_OK;
      });
    },
  };

  return { list, add, release, history };
}

export const QUARANTINE_COMMANDS: readonly Command[] = Object.values(createQuarantineCommands());
