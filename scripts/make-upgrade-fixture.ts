/**
 * Makes a small data folder with THIS checkout's real services, for the upgrade test
 * (server/services/upgrade-fixture.test.ts): users, trust keys (one revoked), signed modules, runs
 * that were allowed, denied and quarantined, an agent's inbox submission with its two signed
 * approvals and the run they allowed, a manual quarantine and its release, two policies in force
 * one after the other, and signed checkpoints.
 *
 *   node bin/run-ts.mjs scripts/make-upgrade-fixture.ts testdata/upgrade/<version-or-commit>
 *
 * Run it on the release being frozen (git checkout <commit>), never on a later one: the point is a
 * data folder as that release wrote it. The server's private key is NOT kept (only its public key,
 * in server-key.pub.json, so the test can still check the old checkpoints' signatures); private keys
 * of publishers and approvers are generated here and thrown away.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { openServices, type Services } from '../server/services/index';
import { usersOf } from '../server/services/users';
import { writeBundle } from '../server/services/bundle-files';
import { defaultPolicyPath } from '../server/services/policy-store';
import { generateKeyPair } from '../server/core/crypto/ed25519';
import { createManifest, signManifest, type ManifestFields } from '../server/core/module/sign';
import { signStatement } from '../server/core/inbox';
import { HELLO, INFINITE_LOOP, LEAKS_KEY, variant } from '../server/core/sandbox/test-modules';
import { DEFAULT_WORKER_URL } from '../server/core/sandbox/worker-threads/worker-url';
import { SERVER_KEY_FILE } from '../server/services/server-key';
import { signRelease } from '../server/services/test-inbox';

const STDIO = ['stdout', 'stderr', 'exit'] as const;

const out = resolve(process.argv[2] ?? '');
if (!process.argv[2]) {
  console.error('usage: make-upgrade-fixture.ts <out-dir>   (for example testdata/upgrade/b71af26)');
  process.exit(2);
}
if (existsSync(out) && readdirSync(out).length > 0) {
  console.error(`${out} is not empty: a committed fixture is history, make a new folder instead`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'nightcore-fixture-'));
const dataDir = join(work, 'data');
const publisher = generateKeyPair();
const open = (policyPath?: string) => openServices({ dataDir, policyPath, poolSize: 1, workerUrl: DEFAULT_WORKER_URL });

function install(s: Services, wasm: Uint8Array, fields: Partial<ManifestFields> & { name: string }) {
  const manifest = createManifest(wasm, { version: '1.0.0', ...fields });
  if (!manifest.ok) throw new Error(manifest.message);
  const envelope = signManifest(manifest.value, null, publisher.seed);
  if (!envelope.ok) throw new Error(envelope.message);
  const dir = join(work, `bundle-${fields.name}`);
  writeBundle(dir, wasm, manifest.value, envelope.value);
  const imported = s.modules.importFolder(dir, 'user:admin');
  if (!imported.ok) throw new Error(`${imported.code}: ${imported.message}`);
  return imported.value;
}

async function run(s: Services, module: ReturnType<typeof install>, expected: 'allow' | 'deny') {
  const r = await s.governor.run(module, {}, 'user:operator');
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  if (r.value.record.decision !== expected) throw new Error(`${module.name}: expected ${expected}, got ${r.value.record.decision}`);
  return r.value.record;
}

const must = <T>(r: { ok: true; value: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

// Phase 1: the shipped default policy. Users, keys, allowed / denied / quarantined runs.
{
  const s = open();
  const users = usersOf(s);
  for (const [username, role] of [['admin', 'admin'], ['operator', 'operator'], ['alice', 'approver'], ['carol', 'approver'], ['owner', 'approver'], ['victor', 'viewer']] as const) {
    must(await users.create({ username, password: `fixture-${username}-password-1`, role }, 'system'));
  }
  must(s.trust.add({ publicKey: publisher.publicKey, role: 'publisher', name: 'fixture publisher' }, 'user:admin'));
  const retired = must(s.trust.add({ publicKey: generateKeyPair().publicKey, role: 'publisher', name: 'retired publisher' }, 'user:admin'));
  must(s.trust.revoke(retired.keyid, 'laptop retired', 'user:admin'));

  const hello = install(s, variant(HELLO, 'fixture-hello'), { name: 'hello', capabilities: [...STDIO] });
  await run(s, hello, 'allow');
  await run(s, hello, 'allow');
  const spinner = install(s, variant(INFINITE_LOOP, 'fixture-spinner'), { name: 'spinner', capabilities: [], limits: { fuel: 50_000 } });
  await run(s, spinner, 'deny'); // out of fuel: a post-exec denial
  const leaker = install(s, variant(LEAKS_KEY, 'fixture-leaker'), { name: 'leaker', capabilities: [...STDIO] });
  const leaked = await run(s, leaker, 'deny');
  if (!leaked.quarantine) throw new Error('the leaker was not quarantined');
  await run(s, leaker, 'deny'); // quarantined: a pre-exec denial
  s.quarantine.add({ moduleName: hello.name, wasmSha256: hello.wasmSha256, reason: 'reported by on-call', source: 'manual' }, 'user:operator');
  await run(s, hello, 'deny');
  // Released the only way there is: a signed release statement (the default policy's quorum is one approver).
  const alice = s.inbox.userByName('alice')!;
  const aliceKey = generateKeyPair();
  const aliceKeyid = must(s.inbox.registerApproverKey(aliceKey.publicKey, alice)).keyid;
  must(signRelease(s, { ...alice, seed: aliceKey.seed, keyid: aliceKeyid }, hello.wasmSha256, 'false alarm'));
  s.audit.checkpoint();
  await s.close();
}

// Phase 2: a policy that needs one approver and one manager; an agent's submission approved through the inbox.
{
  const base = JSON.parse(readFileSync(defaultPolicyPath(), 'utf8')) as Record<string, unknown> & { pre: Record<string, unknown> };
  const policy = {
    ...base,
    revision: (base.revision as number) + 1,
    pre: { ...base.pre, approval_required: { severity: 'high', required: true } },
    approval: { groups: { managers: ['carol', 'owner'] }, quorum: [{ role: 'approver', count: 1 }, { group: 'managers', count: 1 }], reason_required: true },
  };
  const policyPath = join(work, 'quorum-policy.json');
  writeFileSync(policyPath, JSON.stringify(policy, null, 2));
  const s = open(policyPath);
  const people = Object.fromEntries(
    s.handle.sqlite.prepare<[], { id: string; username: string }>('SELECT id, username FROM users').all().map((u) => [u.username, u]),
  );
  const keys = new Map<string, { seed: Uint8Array; keyid: string }>();
  for (const name of ['alice', 'carol']) {
    const pair = generateKeyPair();
    keys.set(name, { seed: pair.seed, keyid: must(s.inbox.registerApproverKey(pair.publicKey, people[name]!)).keyid });
  }
  const { agent } = must(s.agents.create({ name: 'ci-bot', ownerUsername: 'owner', ratePerHour: 100 }, 'user:admin'));
  const wasm = variant(HELLO, 'fixture-governed');
  const module = install(s, wasm, { name: 'governed', capabilities: [...STDIO] });
  await run(s, module, 'deny'); // not approved yet
  const submission = must(
    s.inbox.submit(agent, { wasm, manifest: { name: 'governed', version: '1.0.0', capabilities: [...STDIO] }, purpose: 'says hello' }, () => 0),
  );
  for (const name of ['alice', 'carol']) {
    const key = keys.get(name)!;
    const statement = must(
      signStatement(
        {
          format: 'nightcore.approval/v1',
          subject: `submission:${submission.id}`,
          wasmSha256: submission.wasmSha256,
          manifestSha256: submission.manifestSha256,
          policy: { name: base.name as string, revision: policy.revision },
          decision: 'approve',
          reason: 'read the diff and the dry run',
          time: new Date().toISOString(),
        },
        key.seed,
        key.keyid,
      ),
    );
    must(s.inbox.decide(submission.id, statement, people[name]!));
  }
  await run(s, module, 'allow');
  s.audit.checkpoint();
  const report = s.audit.verify();
  if (!report.ok) throw new Error(`the fixture's own chain does not verify: ${report.message}`);
  await s.close();
}

// Keep the database (compacted, no WAL) and the server's PUBLIC key; leave its private key behind.
mkdirSync(out, { recursive: true });
// Committed as SQL text (sqlite3's .dump), never as a database file: reviewable, diffable, and the
// test loads it back into exactly the tables, rows, indexes and triggers written here.
const sqlite = new Database(join(dataDir, 'nightcore.db'));
const snapshot = join(work, 'snapshot.db');
sqlite.exec(`VACUUM INTO '${snapshot.replaceAll("'", "''")}'`);
writeFileSync(join(out, 'nightcore.sql'), execFileSync('sqlite3', [snapshot, '.dump'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
sqlite.close();
const key = JSON.parse(readFileSync(join(dataDir, SERVER_KEY_FILE), 'utf8')) as { type: string; keyid: string; publicKey: string; createdAt: string };
writeFileSync(join(out, 'server-key.pub.json'), `${JSON.stringify({ type: key.type, keyid: key.keyid, publicKey: key.publicKey, createdAt: key.createdAt }, null, 2)}\n`);
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
writeFileSync(
  join(out, 'README.md'),
  `# Upgrade fixture made by ${commit}\n\nThe database of a data folder written by Night Core at commit ${commit} with \`scripts/make-upgrade-fixture.ts\`,\nas SQL text (\`nightcore.sql\`, sqlite3 .dump; the test loads it into a fresh database).\n` +
    'Never edit or regenerate it: it stands for what that release wrote. `server-key.json` (the private key)\n' +
    'is left out on purpose; `server-key.pub.json` lets the test check the old checkpoint signatures.\n',
);
rmSync(work, { recursive: true, force: true });
console.log(`wrote ${out}`);
