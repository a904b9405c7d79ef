/**
 * The license over the API: only admins see or install it, every role may ask which features are
 * on, and the server refuses PRO features (FORBIDDEN, LICENSE_REQUIRED, the feature and the edition
 * named) whatever the console shows: requireFeature for each feature, the quorum above one through
 * inbox.decide, the seat limit through users.create.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { TRPCError } from '@trpc/server';
import { generateKeyPair } from '../../core/crypto/ed25519';
import { HELLO, variant } from '../../core/sandbox/test-modules';
import { COMMUNITY_SEATS, FEATURES } from '../../core/license';
import { ROLES } from '../../core/access/rbac';
import { openHarness, type Harness } from '../../services/test-fixtures';
import { openInboxHarness, type InboxHarness } from '../../services/test-inbox';
import { installProLicense, testLicenseFile } from '../../services/test-license';
import { usersOf } from '../../services/users';
import { DomainError } from '../errors';
import { requireFeature } from '../license-gate';
import { createCaller } from '../root';
import { ctxFor, sessionFor, trpcCode } from '../test-support';

const caught = (f: () => unknown): TRPCError => {
  try {
    f();
  } catch (e) {
    if (e instanceof TRPCError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

describe('license router and gates', () => {
  let h: Harness;
  const as = (role: (typeof ROLES)[number]) => createCaller(ctxFor(sessionFor(role), h.services));
  beforeAll(() => {
    h = openHarness();
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('requireFeature refuses every PRO feature on community: FORBIDDEN, LICENSE_REQUIRED, feature and edition named', () => {
    for (const f of FEATURES) {
      const e = caught(() => requireFeature(h.services, f));
      expect(e.code).toBe('FORBIDDEN');
      expect((e.cause as DomainError).code).toBe('LICENSE_REQUIRED');
      expect(e.message).toContain(`feature ${f}`);
      expect(e.message).toContain('needs the PRO edition');
    }
  });

  it('only admins read or install the license; every role may ask which features are on', async () => {
    for (const role of ROLES) {
      expect(await trpcCode(as(role).license.features())).toBe('OK');
      const expected = role === 'admin' ? 'OK' : 'FORBIDDEN';
      expect(await trpcCode(as(role).license.status())).toBe(expected);
      if (role !== 'admin') expect(await trpcCode(as(role).license.install({ text: testLicenseFile() }))).toBe('FORBIDDEN');
    }
    expect((await as('admin').license.status()).edition).toBe('community');
  });

  it('a forged license over the API is BAD_REQUEST with its code; a valid one turns every gate on', async () => {
    const forged = await as('admin').license.install({ text: testLicenseFile({}, { seed: generateKeyPair().seed }) }).catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(TRPCError);
    expect([(forged as TRPCError).code, ((forged as TRPCError).cause as DomainError).code]).toEqual(['BAD_REQUEST', 'LICENSE_SIGNATURE_INVALID']);
    const status = await as('admin').license.install({ text: testLicenseFile({ licensee: 'Acme <b>Ltd</b>' }) });
    expect(status).toMatchObject({ edition: 'pro', state: 'valid', testKeyAccepted: true, license: { licensee: 'Acme <b>Ltd</b>', testKey: true } });
    expect((await as('viewer').license.features()).features).toEqual([...FEATURES]);
    for (const f of FEATURES) expect(() => requireFeature(h.services, f)).not.toThrow();
    // The audit names the admin who installed it.
    const last = h.services.handle.sqlite.prepare("SELECT actor FROM audit_events WHERE action = 'license.installed' ORDER BY seq DESC LIMIT 1").pluck().get();
    expect(last).toBe('user:test-admin');
  });
});

describe('server-side gates on other procedures', () => {
  it('simulation.run and simulation.recommend without PRO are FORBIDDEN (LICENSE_REQUIRED) naming the feature; with PRO they answer', async () => {
    const h = openHarness();
    try {
      const hello = h.install(variant(HELLO, 'sim-gate'), { name: 'hello', capabilities: ['stdout', 'stderr', 'exit'] });
      const ran = await h.services.governor.run(hello, {}, 'test:operator');
      if (!ran.ok) throw new Error(ran.message);
      const viewer = createCaller(ctxFor(sessionFor('viewer'), h.services));
      const policy = JSON.stringify(h.services.policy.policy);
      const refusal = async (p: Promise<unknown>) => {
        const e = await p.catch((x: unknown) => x);
        expect(e).toBeInstanceOf(TRPCError);
        return [(e as TRPCError).code, ((e as TRPCError).cause as DomainError).code, (e as TRPCError).message] as const;
      };
      const [code, domain, message] = await refusal(viewer.simulation.run({ policy }));
      expect([code, domain]).toEqual(['FORBIDDEN', 'LICENSE_REQUIRED']);
      expect(message).toContain('policy_simulation');
      const [rCode, rDomain, rMessage] = await refusal(viewer.simulation.recommend({}));
      expect([rCode, rDomain]).toEqual(['FORBIDDEN', 'LICENSE_REQUIRED']);
      expect(rMessage).toContain('policy_recommendations');
      installProLicense(h.services);
      expect(await viewer.simulation.run({ policy })).toMatchObject({ runs: 1, counts: { unchanged: 1 } });
      expect(Array.isArray(await viewer.simulation.recommend({}))).toBe(true);
    } finally {
      await h.services.close();
    }
  });

  it('inbox.decide: a quorum above one without PRO is FORBIDDEN (LICENSE_REQUIRED) and records nothing', async () => {
    const h: InboxHarness = openInboxHarness(undefined, { pro: false });
    try {
      h.person('owner', 'approver');
      const alice = h.person('alice', 'approver');
      const created = h.services.agents.create({ name: 'ci-bot', ownerUsername: 'owner' }, 'user:admin');
      if (!created.ok) throw new Error(created.message);
      const s = h.services.inbox.submit(created.value.agent, { wasm: variant(HELLO, 'gate'), manifest: { name: 'gate', version: '1.0.0' }, purpose: 'x' }, () => 0);
      if (!s.ok) throw new Error(s.message);
      const caller = createCaller(ctxFor(sessionFor('approver', alice.username, alice.id), h.services));
      const e = await caller.inbox.decide({ id: s.value.id, signed: h.statement(alice, s.value) }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TRPCError);
      expect([(e as TRPCError).code, ((e as TRPCError).cause as DomainError).code]).toEqual(['FORBIDDEN', 'LICENSE_REQUIRED']);
      expect((e as TRPCError).message).toContain('approval_quorum');
      expect(h.services.inbox.statements(s.value.id)).toEqual([]);
    } finally {
      await h.services.close();
    }
  });

  it('users.create past the seats is FORBIDDEN (SEAT_LIMIT); a PRO license with more seats lets it through', async () => {
    const h = openHarness();
    try {
      const u = usersOf(h.services);
      for (let i = 0; i < COMMUNITY_SEATS; i++) expect((await u.create({ username: `seat${i}`, password: 'a-long-enough-password-1', role: 'viewer' }, 'test')).ok).toBe(true);
      const admin = createCaller(ctxFor(sessionFor('admin'), h.services));
      const e = await admin.users.create({ username: 'extra', role: 'viewer' }).catch((x: unknown) => x);
      expect([(e as TRPCError).code, ((e as TRPCError).cause as DomainError).code]).toEqual(['FORBIDDEN', 'SEAT_LIMIT']);
      installProLicense(h.services, { seats: 20 });
      expect((await admin.users.create({ username: 'extra', role: 'viewer' })).user.username).toBe('extra');
    } finally {
      await h.services.close();
    }
  });
});
