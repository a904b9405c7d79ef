/** The keys router over a real trust store: list, add (pasted base64 or .pub text), revoke, audited. */
import { describe, it, expect, afterEach } from 'vitest';
import { TRPCError } from '@trpc/server';
import { generateKeyPair } from '../../core/crypto/ed25519';
import { encodePublicKeyFile, keyIdOf } from '../../core/crypto/keys';
import { TrustStore } from '../../services/trust-store';
import type { Services } from '../../services/index';
import type { Role } from '../../core/access/rbac';
import { createCaller } from '../root';
import { ctxFor, memoryServices, sessionFor } from '../test-support';
import type { DbHandle } from '../../../db/client';

const handles: DbHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

function setup() {
  const base = memoryServices();
  handles.push(base.handle);
  const audit = base.services.audit;
  const trust = new TrustStore(base.handle.db, audit, () => new Date());
  const services = { handle: base.handle, audit, trust } as unknown as Services;
  const as = (role: Role, username = `u-${role}`) => createCaller(ctxFor(sessionFor(role, username), services));
  return { services, as };
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
    return { code: 'OK' };
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return { code: e.code, domain: (e.cause as { code?: string } | undefined)?.code, message: e.message };
  }
}

describe('keys router', () => {
  it('an admin adds a key from .pub file text; everyone with keys.read lists it; the add is audited', async () => {
    const { services, as } = setup();
    const pair = generateKeyPair();
    const added = await as('admin', 'root').keys.add({ publicKey: encodePublicKeyFile(pair.publicKey), role: 'publisher', name: 'CI publisher' });
    expect(added).toMatchObject({ keyid: keyIdOf(pair.publicKey), role: 'publisher', status: 'active', addedBy: 'user:root', revokedAt: null });
    const listed = await as('viewer').keys.list();
    expect(listed.map((k) => k.keyid)).toEqual([added.keyid]);
    expect(Number.isNaN(Date.parse(listed[0]!.addedAt))).toBe(false);
    const event = services.audit.page({ action: 'key.added' });
    expect(event.ok && event.value.events[0]).toMatchObject({ actor: 'user:root', subject: `key:${added.keyid}` });
  });

  it('accepts pasted base64 with surrounding whitespace', async () => {
    const { as } = setup();
    const pair = generateKeyPair();
    const b64 = Buffer.from(pair.publicKey).toString('base64');
    const added = await as('admin').keys.add({ publicKey: `  ${b64}\n`, role: 'approver', name: 'Approver A' });
    expect(added.publicKey).toBe(b64);
  });

  it('refuses text that is not a 32-byte key, and a duplicate key, with their codes', async () => {
    const { as } = setup();
    const admin = as('admin');
    expect(await failure(admin.keys.add({ publicKey: 'not base64!!', role: 'publisher', name: 'x' }))).toMatchObject({ code: 'BAD_REQUEST', domain: 'KEY_FILE_INVALID' });
    const short = Buffer.alloc(16, 1).toString('base64');
    const r = await failure(admin.keys.add({ publicKey: short, role: 'publisher', name: 'x' }));
    expect(r).toMatchObject({ code: 'BAD_REQUEST', domain: 'KEY_FILE_INVALID' });
    expect(r.message).toContain('16 bytes');
    const pair = generateKeyPair();
    const pub = encodePublicKeyFile(pair.publicKey);
    await admin.keys.add({ publicKey: pub, role: 'publisher', name: 'first' });
    expect(await failure(admin.keys.add({ publicKey: pub, role: 'approver', name: 'again' }))).toMatchObject({ code: 'CONFLICT', domain: 'KEY_EXISTS' });
    expect(await failure(admin.keys.add({ publicKey: pub, role: 'root' as never, name: 'x' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('revokes by key id prefix with a reason and a back-dated time, audited with the user as actor', async () => {
    const { services, as } = setup();
    const admin = as('admin', 'root');
    const added = await admin.keys.add({ publicKey: encodePublicKeyFile(generateKeyPair().publicKey), role: 'publisher', name: 'leaked' });
    const at = '2024-05-01T10:00:00.000Z';
    const revoked = await admin.keys.revoke({ keyid: added.keyid.slice(0, 12), reason: 'laptop stolen', at });
    expect(revoked).toMatchObject({ status: 'revoked', revokedAt: at, revokedBy: 'user:root', revokeReason: 'laptop stolen' });
    const page = services.audit.page({ action: 'key.revoked' });
    expect(page.ok && JSON.parse(page.value.events[0]!.payload)).toMatchObject({ reason: 'laptop stolen', revokedAt: at });
    expect(await failure(admin.keys.revoke({ keyid: added.keyid, reason: 'again' }))).toMatchObject({ code: 'CONFLICT', domain: 'ALREADY_REVOKED' });
  });

  it('refuses an unknown key, a blank reason, a future time and a malformed time', async () => {
    const { as } = setup();
    const admin = as('admin');
    const added = await admin.keys.add({ publicKey: encodePublicKeyFile(generateKeyPair().publicKey), role: 'publisher', name: 'k' });
    expect(await failure(admin.keys.revoke({ keyid: 'ffffffffffff', reason: 'x' }))).toMatchObject({ code: 'NOT_FOUND', domain: 'KEY_NOT_FOUND' });
    expect(await failure(admin.keys.revoke({ keyid: added.keyid, reason: '   ' }))).toMatchObject({ code: 'BAD_REQUEST', domain: 'REASON_REQUIRED' });
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const r = await failure(admin.keys.revoke({ keyid: added.keyid, reason: 'x', at: future }));
    expect(r).toMatchObject({ code: 'BAD_REQUEST' });
    expect(r.message).toContain('future');
    expect(await failure(admin.keys.revoke({ keyid: added.keyid, reason: 'x', at: 'yesterday' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect((await admin.keys.list())[0]!.status).toBe('active');
  });

  it('an operator may list but not add or revoke (FORBIDDEN before any change)', async () => {
    const { as } = setup();
    const pub = encodePublicKeyFile(generateKeyPair().publicKey);
    expect(await failure(as('operator').keys.add({ publicKey: pub, role: 'publisher', name: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await failure(as('approver').keys.revoke({ keyid: 'ffffffffffff', reason: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await as('operator').keys.list()).toEqual([]);
  });
});
