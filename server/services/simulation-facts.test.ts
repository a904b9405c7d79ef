/**
 * The compact facts stored with each run (runs.guardian_facts) and the full decision records give
 * the same simulation report, candidate by candidate, on a seeded history that mixes runs recorded by
 * an earlier release (testdata/upgrade, facts filled by migration 0024) with new governed runs of
 * every kind (allowed, denied before and after running, quarantined, traps, refused calls, unknown
 * signer, large output). Also: a run whose stored facts are missing or damaged is judged from its
 * record, so nothing is lost or guessed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../core/crypto/ed25519';
import type { TPolicy } from '../core/guardian/schema';
import { chatty, EXIT_3, HELLO, LEAKS_KEY, RANDOM_32, sha256Hex, UNREACHABLE, variant } from '../core/sandbox/test-modules';
import { signEd25519 } from '../core/crypto/ed25519';
import { publicKeyFromJson } from './chain-check';
import { candidatePolicy } from './test-policy';
import { openHarness, type Harness } from './test-fixtures';
import { installProLicense } from './test-license';
import { upgradeDataFolder } from './upgrade';
import { simulateOverHistory } from './simulation';

const FIXTURE = join(__dirname, '..', '..', 'testdata', 'upgrade', 'b71af26');
const STDIO = ['stdout', 'stderr', 'exit'] as const;
/** 8 runs from the fixture and 14 new ones. */
const RUNS = 22;

const policy = candidatePolicy;

/** Candidates that move every fact the rules read. */
const CANDIDATES: Record<string, TPolicy> = {
  'the shipped default': policy(() => {}),
  'fuel below what hello uses': policy((p) => (p.limits.fuel = 100)),
  'one memory page': policy((p) => (p.limits.memoryPages = 1)),
  'a 1 ms wall clock': policy((p) => (p.limits.wallMs = 1)),
  'clock withdrawn': policy((p) => (p.capabilities = p.capabilities.filter((c: string) => c !== 'clock'))),
  'threat re-weighted, lower deny_at': policy((p) => {
    p.threat.weights.first_seen_digest = 40;
    p.threat.weights.unknown_signer = 90;
    p.pre.threat_threshold.deny_at = 35;
  }),
  'output patterns off, 20 bytes of output at most': policy((p) => {
    delete p.post.output_patterns;
    p.post.max_output_bytes = { severity: 'medium', max: 20 };
  }),
  'exit code 3 and traps accepted': policy((p) => {
    p.post.exit_code.allowed = [0, 3];
    p.post.outcome_allowed.kinds = ['ok', 'trap'];
  }),
  'no refused call tolerated': policy((p) => (p.post.denied_calls.max_denied_calls = 0)),
  'approval required': policy((p) => (p.pre.approval_required.required = true)),
  'process backend only': policy((p) => (p.pre.backend_allowed.allowed = ['process'])),
  'quarantine rule off': policy((p) => delete p.pre.quarantined),
  'a signer with role auditor required': policy((p) => (p.pre.signature_trusted.required_roles = ['auditor'])),
  'legacy modules denied': policy((p) => (p.pre.legacy_modules.mode = 'deny')),
  'the whole policy in dry-run': policy((p) => (p.dry_run = true)),
};

describe('simulation: compact facts and full records agree', () => {
  let h: Harness;
  beforeAll(async () => {
    // A data folder written by an earlier release, upgraded: its runs' facts come from migration 0024.
    const dataDir = mkdtempSync(join(tmpdir(), 'nightcore-simfacts-'));
    const db = new Database(join(dataDir, 'nightcore.db'));
    db.exec(readFileSync(join(FIXTURE, 'nightcore.sql'), 'utf8'));
    db.close();
    const key = publicKeyFromJson(readFileSync(join(FIXTURE, 'server-key.pub.json'), 'utf8'));
    await upgradeDataFolder(dataDir, { checkpointKeys: [key!] });
    h = openHarness({ dataDir });
    installProLicense(h.services);
    // New runs through the governor: their facts come from the recorder.
    const run = async (wasm: Uint8Array, fields: Record<string, unknown>, times = 1) => {
      const m = h.install(wasm, fields);
      for (let i = 0; i < times; i++) await h.services.governor.run(m, {}, 'test:operator');
    };
    await run(variant(HELLO, 'eq-hello'), { name: 'hello-new', capabilities: [...STDIO] }, 3);
    await run(variant(HELLO, 'eq-clock'), { name: 'clocky', capabilities: [...STDIO, 'clock'] }, 2);
    await run(EXIT_3, { name: 'exits-3', capabilities: [...STDIO] });
    await run(UNREACHABLE, { name: 'traps', capabilities: [...STDIO] });
    await run(RANDOM_32, { name: 'prober', capabilities: [...STDIO] }, 2); // random_get refused: not granted
    await run(chatty(3), { name: 'chatty', capabilities: [...STDIO] }); // 3,004 bytes of output
    await run(LEAKS_KEY, { name: 'leaky', capabilities: [...STDIO] }, 2); // the second is denied: quarantined
    // Signed by a key that was trusted at import and revoked since: denied before running, unknown signer.
    const stranger = generateKeyPair();
    const added = h.services.trust.add({ publicKey: stranger.publicKey, role: 'publisher', name: 'later revoked' }, 'test:admin');
    if (!added.ok) throw new Error(added.message);
    const m = h.install(variant(HELLO, 'eq-stranger'), { name: 'stranger', capabilities: [...STDIO] }, stranger);
    h.services.trust.revoke(added.value.keyid, 'test', 'test:admin', new Date(Date.now() - 60_000));
    await h.services.governor.run(m, {}, 'test:operator');
    // A legacy tenant folder (code signed, name and version not).
    const dir = join(dataDir, 'legacy-tenant');
    const wasm = variant(HELLO, 'eq-legacy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'module.wasm'), wasm);
    writeFileSync(join(dir, 'module.sig'), Buffer.from(signEd25519(h.publisher.seed, wasm)).toString('base64'));
    writeFileSync(join(dir, 'pubkey.b64'), Buffer.from(h.publisher.publicKey).toString('base64'));
    writeFileSync(join(dir, 'module.sha256'), `${sha256Hex(wasm)}  module.wasm\n`);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ name: 'old-tenant', version: '1.0.0' }));
    const legacy = h.services.modules.importFolder(dir, 'user:admin', { allowLegacy: true });
    if (!legacy.ok) throw new Error(legacy.message);
    await h.services.governor.run(legacy.value, {}, 'test:operator');
  }, 120_000);
  afterAll(async () => {
    await h?.services.close();
  });

  it('the history holds old and new runs, allowed and denied, executed and not', () => {
    const sqlite = h.services.handle.sqlite;
    const count = (where: string) => sqlite.prepare(`SELECT count(*) FROM runs WHERE ${where}`).pluck().get() as number;
    expect(count("actor = 'user:operator'")).toBe(8); // the fixture's
    expect(count("actor = 'test:operator'")).toBe(RUNS - 8);
    expect(count("module_name = 'old-tenant'")).toBe(1); // a legacy import
    expect(count("module_name = 'stranger' AND decision = 'deny' AND outcome = 'denied'")).toBe(1);
    expect(count("decision = 'deny' AND outcome = 'denied'")).toBeGreaterThanOrEqual(3);
    expect(count("decision = 'deny' AND outcome != 'denied'")).toBeGreaterThanOrEqual(3);
    expect(count('guardian_facts IS NULL')).toBe(0);
    expect(count('capability_denials > 0')).toBeGreaterThanOrEqual(1);
  });

  it.each(Object.keys(CANDIDATES))('%s: the same report both ways', (name) => {
    const candidate = CANDIDATES[name]!;
    const fromFacts = simulateOverHistory(h.services, candidate, { last: 1000 }, 'facts');
    const fromRecords = simulateOverHistory(h.services, candidate, { last: 1000 }, 'records');
    if (!fromFacts.ok || !fromRecords.ok) throw new Error('simulation refused');
    expect(fromFacts.value.runs).toBe(RUNS);
    expect(fromFacts.value).toEqual(fromRecords.value);
  });

  it('the candidates are not all alike: decisions change both ways, and facts not recorded are named', () => {
    const report = (name: string) => {
      const r = simulateOverHistory(h.services, CANDIDATES[name]!, { last: 1000 });
      if (!r.ok) throw new Error(r.message);
      return r.value;
    };
    expect(report('the shipped default').counts).toMatchObject({ allowToDeny: 0, denyToAllow: 0 });
    expect(report('fuel below what hello uses').counts.allowToDeny).toBeGreaterThanOrEqual(10);
    expect(report('exit code 3 and traps accepted').counts.denyToAllow).toBeGreaterThanOrEqual(2);
    // chatty's 3,004 bytes and prober's 32 twice: judged by the recorded size (the output is not loaded).
    expect(report('output patterns off, 20 bytes of output at most').rules).toContainEqual({ id: 'max_output_bytes', newlyFailing: 3, noLongerFailing: 0 });
    expect(report('no refused call tolerated').rules).toContainEqual(expect.objectContaining({ id: 'denied_calls' }));
    // Runs denied before running would now start: nothing recorded says how they would end.
    const dry = report('the whole policy in dry-run');
    expect(dry.counts.denyToAllow).toBeGreaterThanOrEqual(3);
    expect(dry.counts.unknown).toBeGreaterThanOrEqual(3);
    expect(dry.changes.filter((c) => c.to === 'unknown').every((c) => c.unknownBecause === 'it never ran, so there are no post-exec facts')).toBe(true);
    expect(report('the shipped default').notRecorded).toContainEqual({ fact: 'the sandbox backend (nothing ran, or an older record)', runs: expect.any(Number) });
  });

  it('a run whose stored facts are missing or damaged is judged from its record: the report does not change', () => {
    const sqlite = h.services.handle.sqlite;
    const before = simulateOverHistory(h.services, CANDIDATES['threat re-weighted, lower deny_at']!, { last: 1000 });
    const saved = sqlite.prepare('SELECT id, guardian_facts FROM runs').all() as { id: string; guardian_facts: string }[];
    try {
      sqlite.prepare("UPDATE runs SET guardian_facts = NULL WHERE module_name = 'clocky'").run();
      sqlite.prepare("UPDATE runs SET guardian_facts = '[1,\"damaged\"]' WHERE module_name = 'hello-new'").run();
      const after = simulateOverHistory(h.services, CANDIDATES['threat re-weighted, lower deny_at']!, { last: 1000 });
      expect(after).toEqual(before);
      expect(after.ok && after.value.runs).toBe(RUNS);
    } finally {
      const restore = sqlite.prepare('UPDATE runs SET guardian_facts = ? WHERE id = ?');
      for (const r of saved) restore.run(r.guardian_facts, r.id);
    }
  });
});
