/**
 * The license through real services: install and refuse (each refusal audited, nothing stored),
 * expiry without a restart, a row planted in the database granting nothing, the seat limit, the
 * quorum above one refused (never lowered) without PRO, and the test-key configuration that
 * production refuses.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { generateKeyPair } from '../core/crypto/ed25519';
import { keyIdOf } from '../core/crypto/keys';
import { HELLO, variant } from '../core/sandbox/test-modules';
import { COMMUNITY_SEATS } from '../core/license';
import { openHarness, type Harness } from './test-fixtures';
import { openInboxHarness, type InboxHarness } from './test-inbox';
import { installProLicense, TEST_VENDOR_PUBLIC_BASE64, testLicenseFile } from './test-license';
import { resolveLicenseVendorKeys } from './config';
import { usersOf } from './users';
import { users } from '../../db/schema';

const DAY = 86_400_000;
const PW = 'a-long-enough-password-1';

describe('license service', () => {
  let at = new Date('2026-06-01T00:00:00.000Z');
  let h: Harness;
  beforeAll(() => {
    h = openHarness({ now: () => at });
  });
  afterAll(async () => {
    await h.services.close();
  });
  const licenseEvents = () =>
    (h.services.handle.sqlite.prepare("SELECT action, payload FROM audit_events WHERE action LIKE 'license.%' ORDER BY seq").all() as { action: string; payload: string }[]).map((e) => ({
      action: e.action,
      code: (JSON.parse(e.payload) as { code?: string }).code,
    }));
  const stored = () => (h.services.handle.sqlite.prepare('SELECT count(*) FROM licenses').pluck().get() as number);

  it('starts as community: no PRO feature, community seats', () => {
    expect(h.services.license.entitlement()).toMatchObject({ edition: 'community', state: 'none', seats: COMMUNITY_SEATS });
    expect(h.services.license.require('policy_simulation')).toMatchObject({ ok: false, code: 'LICENSE_REQUIRED' });
  });

  it('refuses forged, wrong-key, expired and not-yet-valid licenses; each refusal audited, nothing stored', () => {
    const forger = generateKeyPair();
    const other = generateKeyPair();
    const attempts = [
      [testLicenseFile({}, { now: at, seed: forger.seed }), 'LICENSE_SIGNATURE_INVALID'],
      [testLicenseFile({}, { now: at, seed: other.seed, keyid: keyIdOf(other.publicKey) }), 'LICENSE_WRONG_KEY'],
      [testLicenseFile({ issued: new Date(at.getTime() - 400 * DAY).toISOString(), expires: new Date(at.getTime() - DAY).toISOString() }), 'LICENSE_EXPIRED'],
      [testLicenseFile({ issued: new Date(at.getTime() + DAY).toISOString(), expires: new Date(at.getTime() + 400 * DAY).toISOString() }), 'LICENSE_NOT_YET_VALID'],
      ['{"payload":"AAAA","keyid":"00","sig":"AAAA"}', 'LICENSE_INVALID'],
    ] as const;
    for (const [text, code] of attempts) expect(h.services.license.install(text, 'user:admin')).toMatchObject({ ok: false, code });
    expect(stored()).toBe(0);
    expect(licenseEvents()).toEqual(attempts.map(([, code]) => ({ action: 'license.refused', code })));
    expect(h.services.license.entitlement().edition).toBe('community');
  });

  it('installs a valid license (audited); PRO until the expiry passes, then community without a restart', () => {
    const installed = h.services.license.install(testLicenseFile({ expires: new Date(at.getTime() + 30 * DAY).toISOString() }, { now: at }), 'user:admin');
    expect(installed).toMatchObject({ ok: true, value: { edition: 'pro', state: 'valid' } });
    expect(licenseEvents().at(-1)).toEqual({ action: 'license.installed', code: undefined });
    expect(h.services.license.require('approval_quorum').ok).toBe(true);
    at = new Date(at.getTime() + 30 * DAY);
    expect(h.services.license.entitlement()).toMatchObject({ edition: 'community', state: 'expired' });
    expect(h.services.license.require('approval_quorum')).toMatchObject({ ok: false, message: expect.stringContaining('expired') });
  });

  it('a license row planted in the database grants nothing, and rows cannot be edited', () => {
    const forged = testLicenseFile({}, { now: at, seed: generateKeyPair().seed });
    h.services.handle.sqlite
      .prepare('INSERT INTO licenses (text, sha256, license_id, licensee, expires_at, installed_at, installed_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(forged, 'x', 'EVIL', 'Mallory', at.getTime() + 365 * DAY, at.getTime(), 'sql');
    expect(h.services.license.entitlement()).toMatchObject({ edition: 'community', state: 'invalid', features: [] });
    expect(() => h.services.handle.sqlite.prepare("UPDATE licenses SET licensee = 'x'").run()).toThrow(/append-only/);
    installProLicense(h.services, {}, at);
    expect(h.services.license.entitlement().edition).toBe('pro');
  });
});

describe('seats', () => {
  let h: Harness;
  beforeAll(() => {
    h = openHarness();
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('community allows the community seats of enabled users; PRO raises it to the license seats', async () => {
    const u = usersOf(h.services);
    for (let i = 0; i < COMMUNITY_SEATS; i++) expect((await u.create({ username: `user${i}`, password: PW, role: 'viewer' }, 'test')).ok).toBe(true);
    const refused = await u.create({ username: 'one-too-many', password: PW, role: 'viewer' }, 'test');
    expect(refused).toMatchObject({ ok: false, code: 'SEAT_LIMIT', message: expect.stringContaining('community edition allows 10') });
    expect(u.findByUsername('one-too-many')).toBeUndefined();
    // A disabled account frees its seat.
    expect(u.disable('user0', 'test').ok).toBe(true);
    expect((await u.create({ username: 'replacement', password: PW, role: 'viewer' }, 'test')).ok).toBe(true);
    installProLicense(h.services, { seats: COMMUNITY_SEATS + 1 });
    expect((await u.create({ username: 'eleventh', password: PW, role: 'viewer' }, 'test')).ok).toBe(true);
    expect(await u.create({ username: 'twelfth', password: PW, role: 'viewer' }, 'test')).toMatchObject({ ok: false, code: 'SEAT_LIMIT', message: expect.stringContaining('allows 11') });
    const enabled = h.services.handle.db.select().from(users).all().filter((r) => !r.disabled).length;
    expect(enabled).toBe(COMMUNITY_SEATS + 1);
  });
});

describe('approval quorum above one without PRO', () => {
  let h: InboxHarness;
  beforeAll(() => {
    h = openInboxHarness(undefined, { pro: false });
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('refuses approvals with a clear message (never drops to one), accepts a rejection, and counts again once PRO is installed', () => {
    h.person('owner', 'approver');
    const alice = h.person('alice', 'approver');
    const carol = h.person('carol', 'approver');
    const created = h.services.agents.create({ name: 'ci-bot', ownerUsername: 'owner' }, 'user:admin');
    if (!created.ok) throw new Error(created.message);
    const submit = (tag: string) => {
      const s = h.services.inbox.submit(created.value.agent, { wasm: variant(HELLO, tag), manifest: { name: tag, version: '1.0.0' }, purpose: 'x' }, () => 0);
      if (!s.ok) throw new Error(s.message);
      return s.value;
    };
    const s = submit('quorum');
    const refused = h.services.inbox.decide(s.id, h.statement(alice, s), alice);
    expect(refused).toMatchObject({ ok: false, code: 'LICENSE_REQUIRED' });
    expect(refused.ok ? '' : refused.message).toMatch(/1 with role approver AND 1 from group managers.*approval quorum above one person \(feature approval_quorum\) needs the PRO edition/i);
    expect(h.services.inbox.statements(s.id)).toEqual([]);
    expect(h.services.inbox.get(s.id)?.state).toBe('pending');
    // Even a manager's approval alone does not make it through.
    expect(h.services.inbox.decide(s.id, h.statement(carol, s), carol)).toMatchObject({ ok: false, code: 'LICENSE_REQUIRED' });
    expect(h.services.inbox.get(s.id)?.state).toBe('pending');

    // Saying no stays possible without PRO: it only ever makes things safer.
    const r = submit('reject');
    expect(h.services.inbox.decide(r.id, h.statement(alice, r, { decision: 'reject' }), alice)).toMatchObject({ ok: true, value: { state: 'rejected' } });

    installProLicense(h.services);
    expect(h.services.inbox.decide(s.id, h.statement(alice, s), alice)).toMatchObject({ ok: true, value: { state: 'pending' } });
    expect(h.services.inbox.decide(s.id, h.statement(carol, s), carol)).toMatchObject({ ok: true, value: { state: 'approved' } });
  });
});

describe('test vendor key configuration', () => {
  const key = TEST_VENDOR_PUBLIC_BASE64;
  it('production (no explicit non-production flag) refuses to start with a test key set', () => {
    expect(() => resolveLicenseVendorKeys({ NIGHTCORE_LICENSE_TEST_KEY: key, NODE_ENV: 'production' })).toThrow(/production server; refusing to start/);
    expect(() => resolveLicenseVendorKeys({ NIGHTCORE_LICENSE_TEST_KEY: key })).toThrow(/refusing to start/);
    expect(() => resolveLicenseVendorKeys({ NIGHTCORE_LICENSE_TEST_KEY: key, NIGHTCORE_NON_PRODUCTION: 'yes' })).toThrow(/refusing to start/);
  });
  it('tests and explicitly non-production installations accept it, marked as a test key', () => {
    for (const env of [{ NODE_ENV: 'test' }, { NODE_ENV: 'production', NIGHTCORE_NON_PRODUCTION: '1' }]) {
      const keys = resolveLicenseVendorKeys({ NIGHTCORE_LICENSE_TEST_KEY: key, ...env });
      expect(keys.map((k) => k.test)).toEqual([false, true]);
    }
  });
  it('without it only the built-in vendor key counts; a malformed test key stops the start', () => {
    expect(resolveLicenseVendorKeys({ NODE_ENV: 'test' }).map((k) => k.test)).toEqual([false]);
    expect(() => resolveLicenseVendorKeys({ NIGHTCORE_LICENSE_TEST_KEY: 'not-a-key', NODE_ENV: 'test' })).toThrow(/NIGHTCORE_LICENSE_TEST_KEY/);
  });
});
