/** The quarantine router over real services: list, add (by name@version or digest), signed release with a reason, history; all audited. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { TRPCError } from '@trpc/server';
import { openHarness, type Harness } from '../../services/test-fixtures';
import { wat } from '../../core/wasm/test-wat';
import type { Role } from '../../core/access/rbac';
import type { ModuleVersionRow } from '../../services/module-registry';
import { createCaller } from '../root';
import { ctxFor, sessionFor } from '../test-support';
import { addApprover, releaseStatement } from '../../services/test-inbox';
import { quarantineEntryDigest } from '../../core/inbox';

let h: Harness;
let alpha: ModuleVersionRow;
let bravo: ModuleVersionRow;
const as = (role: Role, username = `u-${role}`) => createCaller(ctxFor(sessionFor(role, username), h.services));

async function failure(p: Promise<unknown>) {
  try {
    await p;
    return { code: 'OK' };
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return { code: e.code, domain: (e.cause as { code?: string } | undefined)?.code };
  }
}

const lastEvent = () => h.services.handle.sqlite.prepare('SELECT actor, action, subject, payload FROM audit_events ORDER BY seq DESC LIMIT 1').get() as {
  actor: string;
  action: string;
  subject: string;
  payload: string;
};

beforeAll(async () => {
  h = openHarness();
  alpha = h.install(wat('(module (func (export "_start")))'), { name: 'alpha', version: '1.0.0' });
  bravo = h.install(wat('(module (func (export "_start") nop))'), { name: 'bravo', version: '2.1.0' });
});
afterAll(() => h.services.close());

describe('quarantine router', () => {
  it('starts empty', async () => {
    expect(await as('viewer').quarantine.list()).toEqual([]);
  });

  it('an operator quarantines by name@version; the change is audited with the session actor; viewers see it', async () => {
    const added = await as('operator', 'olga').quarantine.add({ moduleName: 'alpha', version: '1.0.0', reason: '  odd output  ' });
    expect(added.alreadyQuarantined).toBe(false);
    expect(added.entry).toMatchObject({ moduleName: 'alpha', versions: ['1.0.0'], wasmSha256: alpha.wasmSha256, reason: 'odd output', source: 'manual', by: 'user:olga', runId: null });
    const event = lastEvent();
    expect(event).toMatchObject({ actor: 'user:olga', action: 'module.quarantined', subject: 'module:alpha' });
    expect(JSON.parse(event.payload)).toMatchObject({ wasmSha256: alpha.wasmSha256, source: 'manual', reason: 'odd output' });

    const list = await as('viewer').quarantine.list();
    expect(list.map((e) => e.wasmSha256)).toEqual([alpha.wasmSha256]);
    expect(Date.parse(list[0]!.since)).not.toBeNaN();
  });

  it('quarantining the same digest again changes nothing and says so', async () => {
    const seqBefore = h.services.audit.head().seq;
    const again = await as('approver').quarantine.add({ wasmSha256: alpha.wasmSha256, reason: 'again' });
    expect(again.alreadyQuarantined).toBe(true);
    expect(again.entry.reason).toBe('odd output');
    expect(h.services.audit.head().seq).toBe(seqBefore);
  });

  it('quarantines by digest too; unknown modules and digests are NOT_FOUND; bad input is BAD_REQUEST', async () => {
    const byDigest = await as('admin', 'root').quarantine.add({ wasmSha256: bravo.wasmSha256, reason: 'suspicious' });
    expect(byDigest.entry).toMatchObject({ moduleName: 'bravo', versions: ['2.1.0'], by: 'user:root' });
    expect(await failure(as('operator').quarantine.add({ moduleName: 'alpha', version: '9.9.9', reason: 'x' }))).toEqual({ code: 'NOT_FOUND', domain: 'MODULE_NOT_FOUND' });
    expect(await failure(as('operator').quarantine.add({ wasmSha256: 'f'.repeat(64), reason: 'x' }))).toEqual({ code: 'NOT_FOUND', domain: 'MODULE_NOT_FOUND' });
    expect((await failure(as('operator').quarantine.add({ wasmSha256: 'XYZ', reason: 'x' }))).code).toBe('BAD_REQUEST');
    expect((await failure(as('operator').quarantine.add({ moduleName: 'alpha', version: '1.0.0', reason: '   ' }))).code).toBe('BAD_REQUEST');
  });

  it('release is signed: refused to operators, needs a reason, one signed statement under the default quorum of one; audited with the approval; history shows it', async () => {
    const ann = addApprover(h.services, 'ann');
    const asAnn = createCaller(ctxFor(sessionFor('approver', 'ann', ann.id), h.services));
    const entry = (await as('viewer').quarantine.list()).find((e) => e.moduleName === 'alpha')!;
    expect(entry.release).toMatchObject({ statement: { subject: `quarantine:${entry.id}`, wasmSha256: alpha.wasmSha256 }, counted: [], rule: '1 with role approver' });
    expect(entry.release.statement.manifestSha256).toBe(quarantineEntryDigest({ id: entry.id, wasmSha256: alpha.wasmSha256, since: new Date(entry.since) }));

    const blank = releaseStatement(h.services, ann, alpha.wasmSha256, '  ');
    expect((await failure(as('operator').quarantine.release({ id: blank.entryId, signed: blank.signed }))).code).toBe('FORBIDDEN');
    expect(await failure(asAnn.quarantine.release({ id: blank.entryId, signed: blank.signed }))).toEqual({ code: 'BAD_REQUEST', domain: 'REASON_REQUIRED' });
    // Somebody else's session relaying ann's statement is refused: the decider is the session user.
    const good = releaseStatement(h.services, ann, alpha.wasmSha256, 'false alarm, checked output');
    expect(await failure(as('approver', 'mallory').quarantine.release({ id: good.entryId, signed: good.signed }))).toEqual({ code: 'BAD_REQUEST', domain: 'KEY_NOT_YOURS' });
    expect((await as('viewer').quarantine.list()).map((e) => e.moduleName).sort()).toEqual(['alpha', 'bravo']);

    expect(await asAnn.quarantine.release({ id: good.entryId, signed: good.signed })).toMatchObject({ released: true });
    const event = lastEvent();
    expect(event).toMatchObject({ actor: 'user:ann', action: 'module.released', subject: 'module:alpha' });
    expect(JSON.parse(event.payload)).toMatchObject({ wasmSha256: alpha.wasmSha256, reason: 'ann: false alarm, checked output', releasedBy: 'quorum: ann', approvals: [{ approver: 'ann', keyid: ann.keyid }] });
    expect((await as('viewer').quarantine.list()).map((e) => e.moduleName)).toEqual(['bravo']);
    const history = await as('viewer').quarantine.history();
    expect(history).toEqual([expect.objectContaining({ moduleName: 'alpha', releasedBy: 'quorum: ann', approvals: [expect.objectContaining({ username: 'ann', reason: 'false alarm, checked output' })] })]);

    expect(await failure(asAnn.quarantine.release({ id: good.entryId, signed: good.signed }))).toEqual({ code: 'CONFLICT', domain: 'NOT_QUARANTINED' });
    expect(await asAnn.quarantine.myKeys()).toEqual([ann.keyid]);
    expect((await failure(as('viewer').quarantine.myKeys())).code).toBe('FORBIDDEN');
  });

  it('a quarantine put there by a run names the rule and the outcome that did it; a manual one has no cause', async () => {
    const flaky = h.install(wat('(module (func (export "_start") unreachable))'), { name: 'flaky', version: '1.0.0', capabilities: [] });
    // The default policy quarantines after repeated post-exec failures (the fifth).
    for (let i = 0; i < 5; i++) {
      const ran = await h.services.governor.run(flaky, {}, 'user:test');
      if (!ran.ok) throw new Error(ran.message);
    }
    const list = await as('viewer').quarantine.list();
    const entry = list.find((e) => e.moduleName === 'flaky');
    expect(entry?.source).toBe('post_exec');
    expect(entry?.runId).not.toBeNull();
    expect(entry?.cause).toMatchObject({ phase: 'post', outcome: 'trap', outcomeText: 'trapped (unreachable)' });
    expect(entry?.cause?.rule).toMatch(/^[a-z_]+$/);
    expect(entry?.cause?.explanation.length).toBeGreaterThan(0);
    // Newest first: the run-made quarantine is newer than the manual one on bravo.
    expect(list[0]?.moduleName).toBe('flaky');
    expect(list.find((e) => e.moduleName === 'bravo')?.cause).toBeNull();
  });
});
