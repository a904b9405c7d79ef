/** The inbox from a terminal: an admin registers an agent and approval keys, the agent submits, people sign. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELLO, variant } from '../core/sandbox/test-modules';
import { generateKeyPair } from '../core/crypto/ed25519';
import { encodePrivateKeyFile, encodePublicKeyFile, keyIdOf } from '../core/crypto/keys';
import { openInboxHarness, releaseStatement, type InboxHarness } from '../services/test-inbox';
import type { TApprovalsExport } from '../core/inbox';
import { handleSubmit } from '../api/submissions-http';
import { createInboxCommands } from './commands-inbox';
import { parseCommandArgs, type Command } from './command';
import type { Out } from './io';
import type { Services } from '../services/index';

describe('inbox commands', () => {
  let h: InboxHarness;
  let dir: string;
  let lines: string[], errors: string[], data: unknown[];
  let commands: ReturnType<typeof createInboxCommands>;
  const run = async (command: Command, argv: string[]) => {
    lines = [];
    errors = [];
    data = [];
    const out: Out = { json: false, line: (t) => lines.push(t), error: (t) => errors.push(t), data: (v) => data.push(v) };
    const parsed = parseCommandArgs(command, argv);
    return command.run({ values: parsed.values, positionals: parsed.positionals, out });
  };
  const keyFile = (name: string) => {
    const pair = generateKeyPair();
    writeFileSync(join(dir, `${name}.key`), encodePrivateKeyFile(pair), { mode: 0o600 });
    writeFileSync(join(dir, `${name}.pub`), encodePublicKeyFile(pair.publicKey));
    return { keyid: keyIdOf(pair.publicKey), key: join(dir, `${name}.key`), pub: join(dir, `${name}.pub`) };
  };

  beforeAll(() => {
    h = openInboxHarness();
    dir = mkdtempSync(join(tmpdir(), 'nightcore-inbox-cli-'));
    commands = createInboxCommands({
      withServices: async <T,>(_v: unknown, fn: (s: Services) => T | Promise<T>) => fn(h.services),
      // The console's handler itself, called in-process: no network.
      fetch: async (url, init) => handleSubmit(new Request(url as URL, init as RequestInit), { services: () => h.services }),
      now: () => new Date(),
      actor: () => 'cli:admin',
    });
    for (const name of ['owner', 'alice', 'carol']) h.person(name, 'approver');
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('agent add → submit → the owner cannot approve → approver AND manager approve → approvals verify', async () => {
    expect(await run(commands.agentAdd, ['ci-bot', '--owner', 'owner', '--rate', '10'])).toBe(0);
    const token = (data[0] as { token: string }).token;
    expect(lines.join('\n')).toContain('shown only this once');

    const wasmPath = join(dir, 'hello.wasm');
    writeFileSync(wasmPath, variant(HELLO, 'cli'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ name: 'cli-hello', version: '1.0.0', capabilities: ['stdout'] }));
    expect(await run(commands.submit, [wasmPath, '--url', 'http://127.0.0.1:3000', '--token', token, '--purpose', 'greets', '--manifest', join(dir, 'manifest.json')])).toBe(0);
    const id = (data[0] as { submission: { id: string } }).submission.id;

    const keys = Object.fromEntries(['owner', 'alice', 'carol'].map((n) => [n, keyFile(`${n}-cli`)]));
    for (const n of ['owner', 'alice', 'carol']) expect(await run(commands.approverKeyAdd, [keys[n]!.pub, '--user', n])).toBe(0);

    expect(await run(commands.approve, [id, '--key', keys['owner']!.key, '--reason', 'mine, trust me'])).toBe(1);
    expect(errors.join('\n')).toContain('SEPARATION_OF_DUTIES');
    expect(await run(commands.approve, [id, '--key', keys['alice']!.key, '--reason', 'read it'])).toBe(0);
    expect(lines.join('\n')).toContain('pending');
    expect(await run(commands.approve, [id, '--key', keys['carol']!.key, '--reason', 'fine by me'])).toBe(0);
    expect(lines.join('\n')).toContain('approved');

    expect(await run(commands.approvalsVerify, [id])).toBe(0);
    expect(lines.filter((l) => l.startsWith('ok '))).toHaveLength(2);
    expect(lines.at(-1)).toContain('quorum now: met');
  });

  it('submit reports the console refusal with its code (a revoked token)', async () => {
    expect(await run(commands.agentAdd, ['gone-bot', '--owner', 'owner'])).toBe(0);
    const token = (data[0] as { token: string }).token;
    expect(await run(commands.agentRevoke, ['gone-bot'])).toBe(0);
    const wasmPath = join(dir, 'gone.wasm');
    writeFileSync(wasmPath, variant(HELLO, 'gone'));
    expect(await run(commands.submit, [wasmPath, '--url', 'http://127.0.0.1:3000', '--token', token, '--purpose', 'x'])).toBe(1);
    expect(errors.join('\n')).toContain('UNAUTHORIZED');
  });

  it('reject with a key bound to nobody is refused; with a bound key it rejects', async () => {
    const agent = h.services.agents.findByName('ci-bot')!;
    const r = h.services.inbox.submit(agent, { wasm: variant(HELLO, 'rej'), manifest: undefined, purpose: 'x' }, () => 0);
    if (!r.ok) throw new Error(r.message);
    const sub = r.value;
    const stray = keyFile('stray');
    expect(await run(commands.reject, [sub.id, '--key', stray.key, '--reason', 'no'])).toBe(1);
    expect(errors.join('\n')).toContain('KEY_UNBOUND');
    const bob = h.person('bob', 'approver');
    writeFileSync(join(dir, 'bob.key'), encodePrivateKeyFile({ seed: bob.seed, publicKey: h.services.trust.lookup(bob.keyid)!.publicKey }));
    expect(await run(commands.reject, [sub.id, '--key', join(dir, 'bob.key'), '--reason', 'asks for too much'])).toBe(0);
    expect(h.services.inbox.get(sub.id)?.state).toBe('rejected');
  });

  it('approvals export → verify --file offline (no database): tampered, wrong-key and replayed-onto-another-subject statements fail, each explained', async () => {
    const agent = h.services.agents.findByName('ci-bot')!;
    const make = (tag: string) => {
      const r = h.services.inbox.submit(agent, { wasm: variant(HELLO, tag), manifest: undefined, purpose: 'x' }, () => 0);
      if (!r.ok) throw new Error(r.message);
      return r.value;
    };
    const sub = make('offline-a');
    const other = make('offline-b');
    const alice = h.person('alice-off', 'approver');
    const carol = h.person('carol-off', 'approver');
    expect(h.services.inbox.decide(sub.id, h.statement(alice, sub), alice).ok).toBe(true);
    expect(h.services.inbox.decide(sub.id, h.statement(carol, sub, { reason: 'fine' }), carol).ok).toBe(true);
    const file = join(dir, 'export.json');
    expect(await run(commands.approvalsExport, [sub.id, '--out', file])).toBe(0);
    expect(lines[0]).toContain('wrote 2 statement(s) and 2 key(s)');

    // Offline: a command whose services would throw proves nothing else is read.
    const offline = createInboxCommands({ withServices: () => Promise.reject(new Error('no database offline')), fetch, now: () => new Date(), actor: () => 'x' });
    expect(await run(offline.approvalsVerify, ['--file', file])).toBe(0);
    expect(lines.filter((l) => l.startsWith('ok '))).toHaveLength(2);
    expect(lines.at(-1)).toBe(`2 of 2 statement(s) verify for submission:${sub.id}`);

    const exported = JSON.parse(readFileSync(file, 'utf8')) as TApprovalsExport;
    const variantFile = (name: string, change: (e: TApprovalsExport) => TApprovalsExport) => {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, JSON.stringify(change(structuredClone(exported))));
      return path;
    };
    // Tampered: the payload of the first statement edited (the reason changed) after signing.
    const tampered = variantFile('tampered', (e) => {
      const st = e.statements[0]!;
      const edited = Buffer.from(st.payload, 'base64').toString('utf8').replace('"reason":"read the diff and the dry run"', '"reason":"read the diff and the dry run!"');
      e.statements[0] = { ...st, payload: Buffer.from(edited).toString('base64') };
      return e;
    });
    expect(await run(offline.approvalsVerify, ['--file', tampered])).toBe(1);
    expect(lines.join('\n')).toMatch(/FAIL SIGNATURE_INVALID  #0/);
    expect(lines.at(-1)).toContain('1 of 2');
    // Wrong key: the statement claims carol's key but was signed by alice's.
    const wrongKey = variantFile('wrong-key', (e) => {
      e.statements[0] = { ...e.statements[0]!, keyid: e.statements[1]!.keyid };
      return e;
    });
    expect(await run(offline.approvalsVerify, ['--file', wrongKey])).toBe(1);
    expect(lines.join('\n')).toMatch(/FAIL SIGNATURE_INVALID  #0 .*does not verify with key/);
    // A key swapped under its keyid: the keyid is the key's hash, so the export cannot lie about it.
    const swappedKey = variantFile('swapped-key', (e) => {
      e.keys[0] = { ...e.keys[0]!, publicKey: e.keys[1]!.publicKey };
      return e;
    });
    expect(await run(offline.approvalsVerify, ['--file', swappedKey])).toBe(1);
    expect(lines.join('\n')).toContain('KEY_MISMATCH');
    // Replayed onto another subject: the same statements presented as the other submission's.
    const replayed = variantFile('replayed', (e) => ({ ...e, target: { ...e.target, subject: `submission:${other.id}`, wasmSha256: other.wasmSha256 } }));
    expect(await run(offline.approvalsVerify, ['--file', replayed])).toBe(1);
    expect(lines.filter((l) => l.startsWith('FAIL WRONG_SUBJECT'))).toHaveLength(2);
    // A revoked key, or a key that is not an approver's, counts for nothing.
    const revoked = variantFile('revoked', (e) => {
      e.keys = e.keys.map((k) => ({ ...k, status: 'revoked' as const }));
      return e;
    });
    expect(await run(offline.approvalsVerify, ['--file', revoked])).toBe(1);
    expect(lines.filter((l) => l.startsWith('FAIL KEY_REVOKED'))).toHaveLength(2);
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{"format":"nightcore.approvals-export/v1","statements":"no"}');
    expect(await run(offline.approvalsVerify, ['--file', garbage])).toBe(1);
    expect(errors.join('\n')).toContain('EXPORT_INVALID');
  });

  it('exports a quarantine entry\'s signed releases, which verify offline', async () => {
    const m = h.install(variant(HELLO, 'offline-q'), { name: 'offline-q', version: '1.0.0' });
    h.services.quarantine.add({ moduleName: m.name, wasmSha256: m.wasmSha256, reason: 'held', source: 'manual' }, 'user:olga');
    const dana = h.person('dana-off', 'approver');
    const entry = h.services.quarantine.active(m.wasmSha256)!;
    const { signed } = releaseStatement(h.services, dana, m.wasmSha256, 'checked');
    expect(h.services.releases.sign(entry.id, signed, dana).ok).toBe(true);
    const file = join(dir, 'quarantine-export.json');
    expect(await run(commands.approvalsExport, [`quarantine:${entry.id}`, '--out', file])).toBe(0);
    expect(await run(commands.approvalsVerify, ['--file', file])).toBe(0);
    expect(lines.join('\n')).toContain(`release quarantine:${entry.id}`);
    expect(await run(commands.approvalsExport, ['quarantine:999999'])).toBe(1);
  });
});
