/**
 * The Agent Inbox from a terminal:
 * - `submit`: an agent sends a module to a console over HTTP (POST /api/v1/submissions);
 * - `approve` / `reject`: a person signs a decision with their approval key file, on this machine;
 * - `approvals verify`: checks every stored statement of a submission again, one line each;
 * - `agent add|list|revoke` and `approver-key add`: an admin registers agents and binds approval keys to people.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parsePrivateKeyFile, parsePublicKeyFile } from '../core/crypto/keys';
import { sha256Hex } from '../core/crypto/digest';
import { parseApprovalsExport, signStatement, verifyApprovalsExport, type Decision } from '../core/inbox';
import { exportApprovals } from '../services/approvals-export';
import type { Out } from './io';
import type { Services } from '../services/index';
import type { Command, CommandContext } from './command';
import { optionalString, requireString } from './command';
import { EXIT_OK, EXIT_REJECTED, UsageError, cliActor, keepLine, reject } from './io';
import { withServices } from './services';

export interface InboxCommandDeps {
  readonly withServices: <T>(values: CommandContext['values'], fn: (s: Services) => T | Promise<T>) => Promise<T>;
  readonly fetch: typeof fetch;
  readonly now: () => Date;
  readonly actor: () => string;
}

const DEFAULT_DEPS: InboxCommandDeps = { withServices, fetch: (...a) => fetch(...a), now: () => new Date(), actor: cliActor };

export function createInboxCommands(deps: InboxCommandDeps = DEFAULT_DEPS) {
  const submit: Command = {
    name: 'submit',
    summary: 'submit a wasm module to a console for approval (as an agent)',
    usage: 'nightcore submit <wasm> --url URL --token TOKEN --purpose TEXT [--manifest FILE]',
    options: { url: { type: 'string' }, token: { type: 'string' }, purpose: { type: 'string' }, manifest: { type: 'string' } },
    optionHelp: {
      url: 'the console, e.g. https://nightcore.example',
      token: 'the agent token (nca_...) an admin created with `nightcore agent add`',
      purpose: 'what the module is for, in plain words',
      manifest: 'JSON: {name, version, description?, entry?, capabilities?, limits?}',
    },
    positionals: 1,
    async run({ values, positionals, out }) {
      const base = requireString(values, 'url');
      let endpoint: URL;
      try {
        endpoint = new URL('/api/v1/submissions', base);
      } catch {
        throw new UsageError(`--url is not a URL: ${base}`);
      }
      const form = new FormData();
      form.append('module', new Blob([readFileSync(positionals[0]!)]), 'module.wasm');
      form.append('purpose', requireString(values, 'purpose'));
      const manifest = optionalString(values, 'manifest');
      if (manifest) form.append('manifest', readFileSync(manifest, 'utf8'));
      const res = await deps.fetch(endpoint, { method: 'POST', headers: { authorization: `Bearer ${requireString(values, 'token')}` }, body: form });
      const body = (await res.json().catch(() => ({}))) as { ok?: boolean; submission?: { id: string; state: string }; error?: { code: string; message: string; issues?: string[] } };
      if (res.status !== 202 || !body.submission) {
        const e = body.error ?? { code: `HTTP_${res.status}`, message: `the console answered ${res.status}` };
        return reject(out, { code: e.code, message: e.message, issues: e.issues ?? [] });
      }
      out.line(`submitted ${body.submission.id} (${body.submission.state}); follow it at ${new URL(`/api/v1/submissions/${body.submission.id}`, base)}`);
      out.data({ ok: true, submission: body.submission });
      return EXIT_OK;
    },
  };

  const decide = (decision: Decision): Command => ({
    name: decision,
    summary: `${decision} a pending submission with a signed statement (your approval key)`,
    usage: `nightcore ${decision} <submission-id> --key FILE --reason TEXT`,
    options: { key: { type: 'string' }, reason: { type: 'string' }, policy: { type: 'string' } },
    optionHelp: { key: 'your private approval key (from nightcore keygen)', reason: 'why; recorded and signed', policy: 'Guardian policy file (default: the shipped one)' },
    positionals: 1,
    run({ values, positionals, out }) {
      const key = parsePrivateKeyFile(readFileSync(requireString(values, 'key'), 'utf8'));
      if (!key.ok) return reject(out, key);
      const reason = requireString(values, 'reason');
      const id = positionals[0]!;
      return deps.withServices(values, (s) => {
        const submission = s.inbox.get(id);
        if (!submission) return reject(out, { code: 'SUBMISSION_NOT_FOUND', message: `no submission ${id}` });
        const who = s.inbox.deciderOfKey(key.value.keyid);
        if (!who) return reject(out, { code: 'KEY_UNBOUND', message: `key ${key.value.keyid} is not registered to anyone (nightcore approver-key add)` });
        const { name, revision } = s.policy.policy;
        const signed = signStatement(
          {
            format: 'nightcore.approval/v1',
            subject: `submission:${submission.id}`,
            wasmSha256: submission.wasmSha256,
            manifestSha256: submission.manifestSha256,
            policy: { name, revision },
            decision,
            reason,
            time: deps.now().toISOString(),
          },
          key.value.seed,
          key.value.keyid,
        );
        if (!signed.ok) return reject(out, signed);
        const decided = s.inbox.decide(id, signed.value, who);
        if (!decided.ok) return reject(out, decided);
        out.line(`${decision === 'approve' ? 'approved' : 'rejected'} as ${who.username}; submission is ${decided.value.state}: ${decided.value.quorum.detail}`);
        out.data({ ok: true, state: decided.value.state, detail: decided.value.quorum.detail });
        return EXIT_OK;
      });
    },
  });

  const approvalsVerify: Command = {
    name: 'approvals verify',
    summary: 'verify signed approval statements: offline from an export file (no database), or a submission\'s stored ones',
    usage: 'nightcore approvals verify --file EXPORT.json | nightcore approvals verify <submission-id>',
    options: { file: { type: 'string' }, policy: { type: 'string' } },
    optionHelp: { file: 'an export from `nightcore approvals export` (statements + approver public keys); nothing else is read', policy: 'Guardian policy file (default: the shipped one)' },
    positionals: [0, 1],
    run({ values, positionals, out }) {
      const file = optionalString(values, 'file');
      if (file !== undefined) {
        if (positionals.length > 0) throw new UsageError('give either --file or a submission id, not both');
        return verifyOffline(readFileSync(file, 'utf8'), out);
      }
      if (positionals.length !== 1) throw new UsageError('give a submission id, or --file EXPORT.json to verify offline');
      const id = positionals[0]!;
      return deps.withServices(values, (s) => {
        const submission = s.inbox.get(id);
        if (!submission) return reject(out, { code: 'SUBMISSION_NOT_FOUND', message: `no submission ${id}` });
        const quorum = s.inbox.evaluate(submission, s.policy.policy);
        for (const c of quorum.counted) out.line(`ok       ${c.keyid.slice(0, 16)}  ${c.person.username}  ${c.statement.decision}  ${c.statement.time}  sha256:${sha256Hex(c.canonical)}`);
        for (const r of quorum.refused) out.line(`REFUSED  ${r.keyid.slice(0, 16)}  ${r.code}: ${r.message}`);
        out.line(`submission ${id} is ${submission.state}; quorum now: ${quorum.state} (${quorum.detail})`);
        out.data({ ok: true, state: submission.state, quorum: quorum.state, counted: quorum.counted.map((c) => c.keyid), refused: quorum.refused });
        // Stored statements were valid when they arrived; one that no longer verifies is news.
        return quorum.refused.some((r) => r.code === 'SIGNATURE_INVALID' || r.code === 'STATEMENT_INVALID') ? EXIT_REJECTED : EXIT_OK;
      });
    },
  };

  const approvalsExport: Command = {
    name: 'approvals export',
    summary: 'write the evidence to verify a subject\'s approvals offline: its digests, signed statements and approver public keys',
    usage: 'nightcore approvals export <submission-id|quarantine:ID> [--out FILE]',
    options: { out: { type: 'string' }, policy: { type: 'string' } },
    optionHelp: { out: 'write here instead of standard output', policy: 'Guardian policy file (default: the shipped one)' },
    positionals: 1,
    run({ values, positionals, out }) {
      return deps.withServices(values, (s) => {
        const exported = exportApprovals(s, positionals[0]!);
        if (!exported.ok) return reject(out, exported);
        const text = `${JSON.stringify(exported.value, null, 2)}\n`;
        const target = optionalString(values, 'out');
        if (target) {
          writeFileSync(target, text);
          out.line(`wrote ${exported.value.statements.length} statement(s) and ${exported.value.keys.length} key(s) to ${target}`);
        } else out.line(text.trimEnd());
        out.data({ ok: true, export: exported.value });
        return EXIT_OK;
      });
    },
  };

  const agentAdd: Command = {
    name: 'agent add',
    summary: 'register an agent and print its API token (shown only once)',
    usage: 'nightcore agent add <name> --owner USER [--rate N] [--expires ISO-DATE] [--read-only]',
    options: { owner: { type: 'string' }, rate: { type: 'string' }, expires: { type: 'string' }, 'read-only': { type: 'boolean' } },
    optionHelp: { owner: 'the console user answerable for it (cannot approve its submissions)', rate: 'submissions per hour (default 60)', expires: 'when the token stops working', 'read-only': 'may read submissions, not submit' },
    positionals: 1,
    run({ values, positionals, out }) {
      const rateText = optionalString(values, 'rate');
      const rate = rateText === undefined ? undefined : Number(rateText);
      if (rate !== undefined && !Number.isInteger(rate)) throw new UsageError('--rate must be a whole number');
      const expiresText = optionalString(values, 'expires');
      const expiresAt = expiresText === undefined ? null : new Date(expiresText);
      if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new UsageError('--expires must be a date, e.g. 2027-01-31');
      const scopes = values['read-only'] ? ['submissions:read'] : undefined;
      return deps.withServices(values, (s) => {
        const created = s.agents.create({ name: positionals[0]!, ownerUsername: requireString(values, 'owner'), ratePerHour: rate, expiresAt, scopes }, deps.actor());
        if (!created.ok) return reject(out, created);
        keepLine(out, `agent ${created.value.agent.name} registered; its token (shown only this once): ${created.value.token}`);
        out.data({ ok: true, agent: created.value.agent, token: created.value.token });
        return EXIT_OK;
      });
    },
  };

  const agentList: Command = {
    name: 'agent list',
    summary: 'list registered agents',
    usage: 'nightcore agent list',
    options: {},
    optionHelp: {},
    positionals: 0,
    run({ values, out }) {
      return deps.withServices(values, (s) => {
        const agents = s.agents.list();
        out.data({ ok: true, agents });
        for (const a of agents) out.line(`${a.name.padEnd(24)} ${a.revokedAt ? 'revoked' : 'active '}  ${a.ratePerHour}/h  scopes ${a.scopes.join(',')}`);
        return EXIT_OK;
      });
    },
  };

  const agentRevoke: Command = {
    name: 'agent revoke',
    summary: "revoke an agent's token at once",
    usage: 'nightcore agent revoke <name>',
    options: {},
    optionHelp: {},
    positionals: 1,
    run({ values, positionals, out }) {
      return deps.withServices(values, (s) => {
        const agent = s.agents.findByName(positionals[0]!);
        if (!agent) return reject(out, { code: 'AGENT_NOT_FOUND', message: `no agent named ${positionals[0]}` });
        const revoked = s.agents.revoke(agent.id, deps.actor());
        if (!revoked.ok) return reject(out, revoked);
        out.line(`agent ${agent.name} revoked`);
        out.data({ ok: true });
        return EXIT_OK;
      });
    },
  };

  const approverKeyAdd: Command = {
    name: 'approver-key add',
    summary: "register a person's approval public key (trust store role approver, bound to that user)",
    usage: 'nightcore approver-key add <pubfile> --user USER',
    options: { user: { type: 'string' } },
    optionHelp: { user: 'the console user who holds the private key' },
    positionals: 1,
    run({ values, positionals, out }) {
      const parsed = parsePublicKeyFile(readFileSync(positionals[0]!, 'utf8'));
      if (!parsed.ok) return reject(out, parsed);
      const username = requireString(values, 'user');
      return deps.withServices(values, (s) => {
        const user = s.inbox.userByName(username);
        if (!user) return reject(out, { code: 'USER_NOT_FOUND', message: `no user named ${username}` });
        const added = s.inbox.registerApproverKey(parsed.value, user);
        if (!added.ok) return reject(out, added);
        out.line(`approval key ${added.value.keyid} registered to ${username}`);
        out.data({ ok: true, keyid: added.value.keyid });
        return EXIT_OK;
      });
    },
  };

  return { submit, approve: decide('approve'), reject: decide('reject'), approvalsVerify, approvalsExport, agentAdd, agentList, agentRevoke, approverKeyAdd };
}

export const INBOX_COMMANDS: readonly Command[] = Object.values(createInboxCommands());

/** No database, no trust store: only the file. Exit 0 when every statement verifies, 1 otherwise. */
function verifyOffline(text: string, out: Out): number {
  const parsed = parseApprovalsExport(text);
  if (!parsed.ok) return reject(out, parsed);
  const results = verifyApprovalsExport(parsed.value);
  for (const r of results) out.line(`${r.ok ? 'ok      ' : `FAIL ${r.code}`}  #${r.index} ${r.keyid.slice(0, 16)}  ${r.explanation}`);
  const good = results.filter((r) => r.ok).length;
  const allGood = results.length > 0 && good === results.length;
  out.line(`${good} of ${results.length} statement(s) verify for ${parsed.value.target.subject}${results.length === 0 ? ' (the export holds none)' : ''}`);
  out.data({ ok: allGood, target: parsed.value.target, results });
  return allGood ? EXIT_OK : EXIT_REJECTED;
}
