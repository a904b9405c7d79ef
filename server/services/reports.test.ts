/**
 * Compliance reports over a seeded period: the figures are computed here from the facts this test
 * seeded (never copied from the report), events just outside the period must not count, a hostile
 * module name stays text, the proof material checks offline, and the signature fails on any change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openHarness, type Harness } from './test-fixtures';
import { installProLicense } from './test-license';
import { UserService } from './users';
import { buildReport, produceReport } from './reports';
import { resolveChromium } from './config';
import { renderReportHtml } from '../core/report/html';
import { parsePeriod } from '../core/report/period';
import { verifyReport, signReport } from '../core/report/signature';
import { generateKeyPair, signEd25519, verifyEd25519 } from '../core/crypto/ed25519';
import { keyIdOf } from '../core/crypto/keys';
import { parseVerifierKey } from '../core/audit/signed-note';
import { CONSISTENCY_BUNDLE, verifyConsistencyBundle } from '../core/audit/proof-bundle';
import { seededRandom } from '../core/audit/test-support';
import { addApprover, signRelease } from './test-inbox';

const HOSTILE = `<script>alert("x")</script>&'<img src=x onerror=alert(1)>`;
const PERIOD = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };

interface RunSpec {
  decision: 'allow' | 'deny';
  outcome: string; // 'not_run' when pre-exec denied
  failed: string[];
}

let clock = new Date('2026-10-30T10:00:00.000Z');
const tick = (ms = 1000) => (clock = new Date(clock.getTime() + ms));
let h: Harness;
let seeded: RunSpec[];
let sizeBefore = 0;
const keyPair = generateKeyPair();

function appendRun(spec: RunSpec, i: number): void {
  const rule = (id: string) => ({ id, outcome: 'fail', severity: 'high', explanation: 'seeded' });
  const preFailed = spec.outcome === 'not_run' ? spec.failed : [];
  const postFailed = spec.outcome === 'not_run' ? [] : spec.failed;
  // A minimal decision record: the report reads the log, so the fields it uses are what matter.
  h.services.audit.append({
    actor: 'user:alice',
    action: 'run.decided',
    subject: `run:seed-${i}`,
    payload: {
      decision: spec.decision,
      pre: { rules: [{ id: 'signature', outcome: 'pass', severity: 'high', explanation: 'ok' }, ...preFailed.map(rule)] },
      post: spec.outcome === 'not_run' ? null : { rules: postFailed.map(rule) },
      execution: spec.outcome === 'not_run' ? null : { outcome: { kind: spec.outcome } },
    },
  });
  tick();
}

function randomRun(rand: () => number): RunSpec {
  const outcomes = ['ok', 'trap', 'out_of_fuel', 'timeout', 'not_run'];
  const rules = ['threat_score', 'capabilities', 'exit_code', 'output_size', 'fuel'];
  const outcome = outcomes[Math.floor(rand() * outcomes.length)]!;
  const deny = outcome !== 'ok' || rand() < 0.2;
  const failed = deny ? rules.filter(() => rand() < 0.4) : [];
  return { decision: deny ? 'deny' : 'allow', outcome, failed: deny && failed.length === 0 ? ['fuel'] : failed };
}

beforeAll(async () => {
  h = openHarness({ now: () => clock });
  const { services } = h;
  installProLicense(services, {}, clock);
  const users = new UserService(services.handle.db, services.audit, () => clock);
  // Before the period: runs that must not count, then a checkpoint (the "before" tree head).
  appendRun({ decision: 'deny', outcome: 'trap', failed: ['exit_code'] }, 900);
  appendRun({ decision: 'allow', outcome: 'ok', failed: [] }, 901);
  // Before the period: the on-call approver's key (its key.added is not one of the period's changes).
  const approver1 = addApprover(services, 'approver1', 'approver', clock);
  sizeBefore = services.audit.checkpoint()!.seq;

  clock = new Date('2026-11-03T08:00:00.000Z');
  const rand = seededRandom(1313);
  seeded = Array.from({ length: 60 }, () => randomRun(rand));
  seeded.forEach((spec, i) => appendRun(spec, i));
  const q = services.quarantine.add({ moduleName: HOSTILE, wasmSha256: 'ab'.repeat(32), reason: 'seeded threat', source: 'threat' }, 'user:alice');
  tick();
  // Released by a signed statement (the default policy's quorum is one approver).
  expect(signRelease(services, approver1, q.wasmSha256, 'false positive, reviewed', clock)).toMatchObject({ ok: true, value: { released: true } });
  tick();
  const added = services.trust.add({ publicKey: keyPair.publicKey, role: 'publisher', name: 'team key' }, 'user:admin');
  if (!added.ok) throw new Error(added.message);
  tick();
  expect(services.trust.revoke(added.value.keyid, 'rotated', 'user:admin').ok).toBe(true);
  tick();
  expect((await users.create({ username: 'carol', password: 'a long password 1', role: 'viewer' }, 'user:admin')).ok).toBe(true);
  tick();
  expect((await users.create({ username: 'dave', password: 'a long password 2', role: 'operator' }, 'user:admin')).ok).toBe(true);
  tick();
  expect(users.setRole('carol', 'approver', 'user:admin').ok).toBe(true);
  tick();
  expect(users.disable('dave', 'user:admin').ok).toBe(true);
  tick();
  services.audit.append({ actor: 'user:admin', action: 'policy.loaded', subject: 'policy:strict', payload: { name: 'strict', revision: 7, sha256: 'cd'.repeat(32), approvedBy: ['user:carol', 'user:erin'] } });
  tick();
  services.audit.checkpoint();
  tick();

  // After the period: must not count either.
  clock = new Date('2026-12-01T00:00:00.000Z'); // `to` is exclusive
  appendRun({ decision: 'deny', outcome: 'not_run', failed: ['threat_score'] }, 950);
  services.audit.checkpoint();
  clock = new Date('2026-12-02T00:00:00.000Z');
});

afterAll(async () => {
  await h?.services.close();
});

const count = <T,>(items: readonly T[], key: (t: T) => string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const item of items) for (const k of key(item)) out[k] = (out[k] ?? 0) + 1;
  return out;
};

describe('compliance report figures', () => {
  it('counts exactly the seeded period: runs by decision and outcome, denials by rule, nothing from outside', async () => {
    const report = await buildReport(h.services, PERIOD, 'test', clock);
    const f = report.facts;
    expect(f.runs.total).toBe(seeded.length);
    expect(f.runs.allow).toBe(seeded.filter((s) => s.decision === 'allow').length);
    expect(f.runs.deny).toBe(seeded.filter((s) => s.decision === 'deny').length);
    expect(f.runs.byDecisionAndOutcome).toEqual(count(seeded, (s) => [`${s.decision} ${s.outcome}`]));
    expect(f.runs.denialsByRule).toEqual(count(seeded.filter((s) => s.decision === 'deny'), (s) => s.failed));
    expect(f.actions['run.decided']).toBe(seeded.length);
  });

  it('lists quarantines, releases with their approver, key, user/role and policy changes with approvers', async () => {
    const f = (await buildReport(h.services, PERIOD, 'test', clock)).facts;
    expect(f.quarantines.total).toBe(1);
    expect(f.quarantines.rows[0]!.subject).toBe(`module:${HOSTILE}`);
    expect(f.releases.rows.map((r) => [r.actor, r.detail.includes('false positive')])).toEqual([['user:approver1', true]]);
    expect(f.keyChanges.rows.map((r) => r.action)).toEqual(['key.added', 'key.revoked']); // the harness's own key was added before the period
    expect(f.accessChanges.rows.map((r) => `${r.action} ${r.subject}`)).toEqual(['user.created user:carol', 'user.created user:dave', 'user.role_changed user:carol', 'user.disabled user:dave']);
    expect(f.accessChanges.rows[2]!.detail).toBe('from: viewer; to: approver');
    expect(f.policyChanges.rows).toHaveLength(1);
    expect(f.policyChanges.rows[0]!.detail).toContain('approved by: user:carol, user:erin');
    expect(f.policyChanges.rows[0]!.detail).toContain('revision: 7');
  });

  it('reports the chain as verified and carries a consistency proof that checks offline with only the verifier key', async () => {
    const report = await buildReport(h.services, PERIOD, 'test', clock);
    expect(report.chain.ok).toBe(true);
    expect(report.checkpoints.total).toBeGreaterThanOrEqual(1);
    expect(report.checkpoints.rows.every((c) => c.time >= PERIOD.from && c.time < PERIOD.to)).toBe(true);
    const { before, end, consistency } = report.proof;
    expect(before && end && consistency).toBeTruthy();
    expect(before!.size).toBe(sizeBefore); // the checkpoint written just before the period
    const key = parseVerifierKey(report.log.verifierKey);
    if (!key.ok) throw new Error(key.message);
    const bundle = { type: CONSISTENCY_BUNDLE, oldCheckpoint: before!.note, newCheckpoint: end!.note, proof: consistency };
    expect(verifyConsistencyBundle(bundle, key.value, verifyEd25519)).toMatchObject({ ok: true, value: { oldSize: before!.size, newSize: end!.size } });
    // A forged proof (one hash changed) does not pass.
    const forged = { ...bundle, proof: consistency!.map((p, i) => (i === 0 ? Buffer.alloc(32, 7).toString('base64') : p)) };
    expect(verifyConsistencyBundle(forged, key.value, verifyEd25519).ok).toBe(false);
  });

  it('renders a hostile module name as text: no markup from the log reaches the HTML', async () => {
    const html = renderReportHtml(await buildReport(h.services, PERIOD, HOSTILE, clock));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain("default-src 'none'");
    expect(html).toMatch(/not a certification/);
    for (const section of ['Change management', 'Access control', 'Monitoring']) expect(html).toContain(section);
  });

  it('says so when the chain is broken', async () => {
    const html = renderReportHtml({ ...(await buildReport(h.services, PERIOD, 't', clock)), chain: { ok: false, code: 'HASH_MISMATCH', seq: 12, message: 'event 12 <b>' } });
    expect(html).toContain('Chain BROKEN at seq 12: HASH_MISMATCH: event 12 &lt;b&gt;');
  });
});

describe('report signature', () => {
  const server = () => h.services.serverKey;

  it('verifies, and fails on a one-byte change, an added byte, another key, a forged or malformed signature', async () => {
    const period = parsePeriod('2026-11-01', '2026-12-01');
    if (!period.ok) throw new Error(period.message);
    expect(period.value).toEqual(PERIOD);
    const made = await produceReport(h.services, { period: period.value, format: 'html', actor: 'user:auditor', now: () => clock });
    if (!made.ok) throw new Error(made.message);
    const { bytes, signature } = made.value;
    const sigText = JSON.stringify(signature);
    expect(verifyReport(bytes, sigText, server().publicKey, verifyEd25519)).toMatchObject({ ok: true });
    for (const at of [0, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const changed = Uint8Array.from(bytes);
      changed[at]! ^= 1;
      expect(verifyReport(changed, sigText, server().publicKey, verifyEd25519)).toMatchObject({ ok: false, code: 'DIGEST_MISMATCH' });
    }
    expect(verifyReport(Uint8Array.from([...bytes, 10]), sigText, server().publicKey, verifyEd25519)).toMatchObject({ ok: false, code: 'DIGEST_MISMATCH' });
    expect(verifyReport(bytes, sigText, keyPair.publicKey, verifyEd25519)).toMatchObject({ ok: false, code: 'WRONG_KEY' });
    // Someone else signs the same digest and claims the server's key id: the signature does not verify.
    const forger = generateKeyPair();
    const forged = signReport(bytes, { keyid: server().keyid, sign: (m) => signEd25519(forger.seed, m) }, clock);
    expect(verifyReport(bytes, JSON.stringify(forged), server().publicKey, verifyEd25519)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    // The forger's own key verifies the forgery only against the forger's key, never the server's.
    expect(keyIdOf(forger.publicKey)).not.toBe(server().keyid);
    expect(verifyReport(bytes, '{"format":"nope"}', server().publicKey, verifyEd25519)).toMatchObject({ ok: false, code: 'SIGNATURE_MALFORMED' });
    expect(verifyReport(bytes, 'not json', server().publicKey, verifyEd25519)).toMatchObject({ ok: false, code: 'SIGNATURE_MALFORMED' });
  });

  it('records report.generated with the digest of what was handed out', async () => {
    const made = await produceReport(h.services, { period: PERIOD, format: 'html', actor: 'user:auditor', now: () => clock });
    if (!made.ok) throw new Error(made.message);
    const last = h.services.audit.event(h.services.audit.head().seq)!;
    expect(last.action).toBe('report.generated');
    expect(JSON.parse(last.payload)).toMatchObject({ sha256: made.value.signature.sha256, format: 'html', from: PERIOD.from, to: PERIOD.to, events: made.value.report.facts.events, chainOk: true });
  });

  it('prints a signed PDF with Chromium; a missing browser is a clear error and records nothing', async () => {
    const made = await produceReport(h.services, { period: PERIOD, format: 'pdf', actor: 'user:auditor', chromium: resolveChromium(), now: () => clock });
    if (!made.ok) throw new Error(made.message);
    expect(Buffer.from(made.value.bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(verifyReport(made.value.bytes, JSON.stringify(made.value.signature), server().publicKey, verifyEd25519).ok).toBe(true);

    const head = h.services.audit.head().seq;
    const failed = await produceReport(h.services, { period: PERIOD, format: 'pdf', actor: 'user:auditor', chromium: join(h.dataDir, 'no-such-chromium'), now: () => clock });
    expect(failed).toMatchObject({ ok: false, code: 'PDF_FAILED' });
    if (!failed.ok) expect(failed.message).toContain('NIGHTCORE_CHROMIUM');
    expect(h.services.audit.head().seq).toBe(head);
  }, 120_000);
});

describe('licensing', () => {
  it('the community edition is refused before any work, naming the feature; nothing is recorded', async () => {
    const community = openHarness();
    try {
      const head = community.services.audit.head().seq;
      const made = await produceReport(community.services, { period: PERIOD, format: 'html', actor: 'user:auditor' });
      expect(made).toMatchObject({ ok: false, code: 'LICENSE_REQUIRED' });
      if (!made.ok) expect(made.message).toContain('compliance_reports');
      expect(community.services.audit.head().seq).toBe(head);
    } finally {
      await community.services.close();
    }
  });
});
