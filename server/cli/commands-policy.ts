/**
 * Policy revisions from a terminal: show, history, diff, propose, approve, restore. Changing the
 * policy needs an approval key file (`nightcore keygen`, bound with `nightcore approver-key add`):
 * holding it is being the person it is registered to, the same rule as `nightcore approve`, so the
 * proposer of a weakening is known and cannot approve it too.
 */
import { readFileSync } from 'node:fs';
import { parsePrivateKeyFile } from '../core/crypto/keys';
import { signStatement } from '../core/inbox';
import type { PolicyChange } from '../core/guardian/classify';
import type { Services } from '../services/index';
import type { Decider } from '../services/inbox';
import type { ProposeOutcome } from '../services/policy-revisions';
import type { Command, CommandContext } from './command';
import { requireString } from './command';
import { EXIT_OK, EXIT_REJECTED, UsageError, reject, type Out } from './io';
import { withServices } from './services';

export interface PolicyCommandDeps {
  readonly withServices: <T>(values: CommandContext['values'], fn: (s: Services) => T | Promise<T>) => Promise<T>;
  readonly now: () => Date;
}

const DEFAULT_DEPS: PolicyCommandDeps = { withServices, now: () => new Date() };

const KEY_OPTIONS = { key: { type: 'string' }, reason: { type: 'string' }, policy: { type: 'string' } } as const;
const KEY_HELP = { key: 'your private approval key (identifies you)', reason: 'why; recorded with the change', policy: 'Guardian policy file (only seeds a new data folder)' };

function revisionArg(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`"${text}" is not a revision number`);
  return n;
}

/** The person holding this key file, as registered on this data folder. */
function keyHolder(s: Services, keyFile: string): { who: Decider; seed: Uint8Array; keyid: string } | { code: string; message: string } {
  const key = parsePrivateKeyFile(readFileSync(keyFile, 'utf8'));
  if (!key.ok) return key;
  const who = s.inbox.deciderOfKey(key.value.keyid);
  if (!who) return { code: 'KEY_UNBOUND', message: `key ${key.value.keyid} is not registered to anyone (nightcore approver-key add)` };
  return { who, seed: key.value.seed, keyid: key.value.keyid };
}

function printChanges(out: Out, changes: readonly PolicyChange[]): void {
  for (const c of changes) out.line(`  ${c.effect.padEnd(7)} ${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)} (${c.why})`);
}

function printOutcome(out: Out, r: ProposeOutcome): void {
  if ('applied' in r) {
    out.line(`applied as revision ${r.applied.revision} (${r.classification.kind}; sha256 ${r.applied.sha256})`);
    out.data({ ok: true, applied: { revision: r.applied.revision, sha256: r.applied.sha256 }, kind: r.classification.kind, changes: r.classification.changes });
  } else {
    out.line(`proposal ${r.proposal.id} against revision ${r.proposal.baseRevision} (${r.classification.kind}): needs approval by quorum (nightcore policy approve ${r.proposal.id} --key FILE --reason TEXT)`);
    out.data({ ok: true, proposal: { id: r.proposal.id, baseRevision: r.proposal.baseRevision, candidateSha256: r.proposal.candidateSha256 }, kind: r.classification.kind, changes: r.classification.changes });
  }
  printChanges(out, r.classification.changes);
}

export function createPolicyCommands(deps: PolicyCommandDeps = DEFAULT_DEPS): Command[] {
  const show: Command = {
    name: 'policy show',
    summary: 'print the policy revision in force (or --revision N)',
    usage: 'nightcore policy show [--revision N] [--json]',
    options: { revision: { type: 'string' }, policy: { type: 'string' } },
    optionHelp: { revision: 'an older revision', policy: KEY_HELP.policy },
    positionals: 0,
    run({ values, out }) {
      return deps.withServices(values, (s) => {
        const n = typeof values.revision === 'string' ? revisionArg(values.revision) : s.policy.policy.revision;
        const row = s.policies.revision(n);
        if (!row) return reject(out, { code: 'REVISION_NOT_FOUND', message: `no policy revision ${n}` });
        out.line(`# ${row.name} revision ${row.revision} (${row.source}, ${row.createdAt.toISOString()}, ${row.actor}: ${row.reason}) sha256 ${row.sha256}`);
        out.line(row.policyJson);
        out.data({ ok: true, revision: row.revision, name: row.name, sha256: row.sha256, source: row.source, actor: row.actor, reason: row.reason, createdAt: row.createdAt.toISOString(), policy: JSON.parse(row.policyJson) });
        return EXIT_OK;
      });
    },
  };

  const history: Command = {
    name: 'policy history',
    summary: 'list policy revisions (who, when, why, what changed) and open proposals',
    usage: 'nightcore policy history [--json]',
    options: { policy: { type: 'string' } },
    optionHelp: { policy: KEY_HELP.policy },
    positionals: 0,
    run({ values, out }) {
      return deps.withServices(values, (s) => {
        const revisions = s.policies.history();
        for (const r of revisions) {
          const changes = JSON.parse(r.changes) as PolicyChange[];
          out.line(`r${r.revision}  ${r.createdAt.toISOString()}  ${r.source.padEnd(10)}  ${r.actor}  ${r.reason}`);
          printChanges(out, changes);
        }
        const proposals = s.policies.proposals();
        if (proposals.length > 0) out.line('proposals:');
        for (const p of proposals) out.line(`  ${p.id}  ${p.state.padEnd(8)} against r${p.baseRevision}${p.restoreOf ? ` (restores r${p.restoreOf})` : ''}  by ${p.proposer}: ${p.reason}`);
        out.data({
          ok: true,
          revisions: revisions.map((r) => ({ revision: r.revision, name: r.name, sha256: r.sha256, source: r.source, actor: r.actor, reason: r.reason, createdAt: r.createdAt.toISOString(), changes: JSON.parse(r.changes) })),
          proposals: proposals.map((p) => ({ id: p.id, state: p.state, baseRevision: p.baseRevision, restoreOf: p.restoreOf, proposer: p.proposer, reason: p.reason, createdAt: p.createdAt.toISOString() })),
        });
        return EXIT_OK;
      });
    },
  };

  const diff: Command = {
    name: 'policy diff',
    summary: 'what changed between two revisions (default: against the one in force), each change tighter or weaker',
    usage: 'nightcore policy diff <from-revision> [<to-revision>] [--json]',
    options: { policy: { type: 'string' } },
    optionHelp: { policy: KEY_HELP.policy },
    positionals: [1, 2],
    run({ values, positionals, out }) {
      const from = revisionArg(positionals[0]!);
      const to = positionals[1] === undefined ? undefined : revisionArg(positionals[1]);
      return deps.withServices(values, (s) => {
        const d = s.policies.diff(from, to);
        if (!d.ok) return reject(out, d);
        out.line(`r${d.value.from.revision} → r${d.value.to.revision}: ${d.value.classification.kind}`);
        printChanges(out, d.value.classification.changes);
        out.data({ ok: true, from: d.value.from.revision, to: d.value.to.revision, kind: d.value.classification.kind, changes: d.value.classification.changes });
        return EXIT_OK;
      });
    },
  };

  const propose: Command = {
    name: 'policy propose',
    summary: 'change the policy: a tightening applies at once, a weakening becomes a proposal for approval',
    usage: 'nightcore policy propose <file> --key FILE --reason TEXT',
    options: KEY_OPTIONS,
    optionHelp: KEY_HELP,
    positionals: 1,
    run({ values, positionals, out }) {
      let text: string;
      try {
        text = readFileSync(positionals[0]!, 'utf8');
      } catch (e) {
        return Promise.resolve(reject(out, { code: 'POLICY_UNREADABLE', message: `cannot read ${positionals[0]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }));
      }
      const keyFile = requireString(values, 'key');
      const reason = requireString(values, 'reason');
      return deps.withServices(values, (s) => {
        const holder = keyHolder(s, keyFile);
        if ('code' in holder) return reject(out, holder);
        const r = s.policies.propose(text, holder.who, reason);
        if (!r.ok) return reject(out, r);
        printOutcome(out, r.value);
        return EXIT_OK;
      });
    },
  };

  const restore: Command = {
    name: 'policy restore',
    summary: 'propose going back to an old revision (always a proposal; applies as a new revision)',
    usage: 'nightcore policy restore <revision> --key FILE --reason TEXT',
    options: KEY_OPTIONS,
    optionHelp: KEY_HELP,
    positionals: 1,
    run({ values, positionals, out }) {
      const revision = revisionArg(positionals[0]!);
      const keyFile = requireString(values, 'key');
      const reason = requireString(values, 'reason');
      return deps.withServices(values, (s) => {
        const holder = keyHolder(s, keyFile);
        if ('code' in holder) return reject(out, holder);
        const r = s.policies.restore(revision, holder.who, reason);
        if (!r.ok) return reject(out, r);
        printOutcome(out, r.value);
        return EXIT_OK;
      });
    },
  };

  const approve: Command = {
    name: 'policy approve',
    summary: 'sign your approval (or --reject) of a policy proposal with your approval key',
    usage: 'nightcore policy approve <proposal-id> --key FILE --reason TEXT [--reject]',
    options: { ...KEY_OPTIONS, reject: { type: 'boolean' } },
    optionHelp: { ...KEY_HELP, reject: 'sign a rejection instead' },
    positionals: 1,
    run({ values, positionals, out }) {
      const id = positionals[0]!;
      const keyFile = requireString(values, 'key');
      const reason = requireString(values, 'reason');
      return deps.withServices(values, (s) => {
        const proposal = s.policies.proposal(id);
        if (!proposal) return reject(out, { code: 'PROPOSAL_NOT_FOUND', message: `no policy proposal ${id}` });
        const holder = keyHolder(s, keyFile);
        if ('code' in holder) return reject(out, holder);
        const decision = values.reject === true ? 'reject' : 'approve';
        const signed = signStatement({ ...s.policies.statementFields(proposal), decision, reason, time: deps.now().toISOString() }, holder.seed, holder.keyid);
        if (!signed.ok) return reject(out, signed);
        const r = s.policies.decide(id, signed.value, holder.who);
        if (!r.ok) return reject(out, r);
        const applied = r.value.applied ? `; revision ${r.value.applied.revision} is now in force` : '';
        out.line(`${decision === 'approve' ? 'approved' : 'rejected'} as ${holder.who.username}; proposal is ${r.value.state}: ${r.value.quorum.detail}${applied}`);
        out.data({ ok: true, state: r.value.state, detail: r.value.quorum.detail, revision: r.value.applied?.revision ?? null });
        return r.value.state === 'rejected' && decision === 'approve' ? EXIT_REJECTED : EXIT_OK;
      });
    },
  };

  return [show, history, diff, propose, approve, restore];
}

export const POLICY_COMMANDS = createPolicyCommands();
