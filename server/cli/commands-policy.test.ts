/** Policy revisions from a terminal: propose (tighten / weaken), approve by quorum, history, diff, show, restore. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../core/crypto/ed25519';
import { encodePrivateKeyFile } from '../core/crypto/keys';
import { openInboxHarness, type InboxHarness } from '../services/test-inbox';
import type { Services } from '../services/index';
import { createPolicyCommands } from './commands-policy';
import { parseCommandArgs, type Command } from './command';
import type { Out } from './io';

describe('policy commands', () => {
  let h: InboxHarness;
  let dir: string;
  let lines: string[], errors: string[], data: Record<string, any>[];
  let commands: Record<string, Command>;
  const run = async (name: string, argv: string[]) => {
    lines = [];
    errors = [];
    data = [];
    const out: Out = { json: false, line: (t) => lines.push(t), error: (t) => errors.push(t), data: (v) => data.push(v as Record<string, any>) };
    const command = commands[name]!;
    const parsed = parseCommandArgs(command, argv);
    return command.run({ values: parsed.values, positionals: parsed.positionals, out });
  };
  /** A console user with an approval key file registered to them. */
  const keyFor = (username: string, role: 'admin' | 'approver' | 'viewer') => {
    const person = h.person(username, role);
    const pair = generateKeyPair();
    const added = h.services.inbox.registerApproverKey(pair.publicKey, { id: person.id, username });
    if (!added.ok) throw new Error(added.message);
    const file = join(dir, `${username}.key`);
    writeFileSync(file, encodePrivateKeyFile(pair), { mode: 0o600 });
    return file;
  };
  const policyFile = (edit: (p: Record<string, any>) => void) => {
    const p = JSON.parse(h.services.policies.revision(h.services.policy.policy.revision)!.policyJson);
    edit(p);
    const file = join(dir, `candidate-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(p));
    return file;
  };
  let carol: string, bob: string, frank: string;

  beforeAll(() => {
    h = openInboxHarness();
    dir = mkdtempSync(join(tmpdir(), 'nightcore-policy-cli-'));
    commands = Object.fromEntries(
      createPolicyCommands({ withServices: async <T,>(_v: unknown, fn: (s: Services) => T | Promise<T>) => fn(h.services), now: () => new Date() }).map((c) => [c.name, c]),
    );
    carol = keyFor('carol', 'admin');
    bob = keyFor('bob', 'approver');
    frank = keyFor('frank', 'viewer');
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('a tightening applies at once; a weakening waits for approver AND manager, never the proposer', async () => {
    expect(await run('policy propose', [policyFile((p) => (p.limits.wallMs = 4000)), '--key', carol, '--reason', 'runs finish in 1 s'])).toBe(0);
    expect(lines[0]).toMatch(/^applied as revision 4 \(tightening/);
    expect(lines[1]).toContain('tighter limits.wallMs: 5000 → 4000');

    expect(await run('policy propose', [policyFile((p) => (p.pre.threat_threshold.dry_run = true)), '--key', carol, '--reason', 'measure first'])).toBe(0);
    const id = data[0]!.proposal.id as string;
    expect(lines[0]).toContain(`proposal ${id} against revision 4 (weakening)`);
    expect(lines[1]).toContain('weaker  pre.threat_threshold.dry_run');

    expect(await run('policy approve', [id, '--key', carol, '--reason', 'mine'])).toBe(1);
    expect(errors[0]).toContain('SEPARATION_OF_DUTIES');
    expect(await run('policy approve', [id, '--key', bob, '--reason', 'ok'])).toBe(0);
    expect(lines[0]).toContain('proposal is pending');
    expect(await run('policy approve', [id, '--key', frank, '--reason', 'ok'])).toBe(0);
    expect(lines[0]).toContain('revision 5 is now in force');
    expect(h.services.policy.policy.pre.threat_threshold?.dry_run).toBe(true);
  });

  it('history, diff and show tell who, when, why and what changed', async () => {
    expect(await run('policy history', [])).toBe(0);
    expect(lines[0]).toMatch(/^r5 .* proposal +proposal:[0-9a-f-]+ +measure first \(proposed by carol;/);
    expect(lines.join('\n')).toMatch(/r4 .* tightening +user:carol +runs finish in 1 s/);
    expect(data[0]!.revisions.map((r: { revision: number }) => r.revision)).toEqual([5, 4, 3]);
    expect(await run('policy diff', ['3', '5'])).toBe(0);
    expect(lines[0]).toBe('r3 → r5: weakening');
    expect(await run('policy show', ['--revision', '4'])).toBe(0);
    expect(data[0]).toMatchObject({ revision: 4, actor: 'user:carol', reason: 'runs finish in 1 s' });
    expect(data[0]!.policy.limits.wallMs).toBe(4000);
    expect(await run('policy show', ['--revision', '99'])).toBe(1);
    expect(errors[0]).toContain('REVISION_NOT_FOUND');
  });

  it('restore is a proposal; a rejection ends it', async () => {
    expect(await run('policy restore', ['3', '--key', carol, '--reason', 'undo'])).toBe(0);
    const id = data[0]!.proposal.id as string;
    expect(await run('policy approve', [id, '--key', bob, '--reason', 'not yet', '--reject'])).toBe(0);
    expect(lines[0]).toContain('proposal is rejected');
    expect(h.services.policy.policy.revision).toBe(5);
  });

  it('refuses an invalid file with field paths, an unbound key, and a missing reason', async () => {
    expect(await run('policy propose', [policyFile((p) => (p.limits.memoryPages = 70000)), '--key', carol, '--reason', 'x'])).toBe(1);
    expect(errors).toEqual([expect.stringContaining('POLICY_INVALID'), '  - limits.memoryPages: Too big: expected number to be <=65536']);
    const stray = join(dir, 'stray.key');
    writeFileSync(stray, encodePrivateKeyFile(generateKeyPair()), { mode: 0o600 });
    expect(await run('policy propose', [policyFile((p) => (p.limits.fuel = 1)), '--key', stray, '--reason', 'x'])).toBe(1);
    expect(errors[0]).toContain('KEY_UNBOUND');
    await expect(run('policy propose', [policyFile((p) => (p.limits.fuel = 1)), '--key', carol])).rejects.toThrow(/--reason/);
  });
});
