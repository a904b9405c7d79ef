/**
 * Issue 10, the Agent Inbox under a quorum of two, in real browsers on a 375 px phone: the policy's
 * approval quorum is raised through the policy lifecycle to "1 with role approver AND 1 from group
 * managers" (defining the group is a weakening: a proposal the approver signs; raising the quorum is
 * a tightening: it applies at once). Then: an agent submits through the REST endpoint; the agent's
 * owner cannot approve; a peer and a manager each sign in their own browser with a key made and
 * sealed there, and only after the second signature does the module run, its record naming both; a
 * rejected submission never runs; other code under the same name is a new pending submission that
 * the earlier approval does not cover and that does not run; quarantine and release by the same
 * quorum on phones. At the end the two approvers sign the restore of the original policy (a
 * weakening), so the specs that assume a quorum of one pass in any order after this one.
 * Keys and accounts are made during the run, never committed.
 */
import { test, expect } from './fixtures';
import { ACCOUNTS } from './support/accounts';
import { dataDirOf, runDir } from './support/env';
import { nightcoreOrThrow } from './support/cli';
import { compileWat } from './support/modules';
import { expectData, trpcMutation, trpcQuery } from './support/trpc';
import { registerScriptKey, sign } from './support/approvals';
import { PHONE, signInOnPhone, submitAsAgent, type Submitted } from './support/inbox';
import type { TApprovalStatement } from '../server/core/inbox';

type StatementFields = Omit<TApprovalStatement, 'decision' | 'reason' | 'time'>;

const PEER = { username: 'e2e-peer', password: 'e2e-peer-password-0005' };
const MANAGER = { username: 'e2e-mgr', password: 'e2e-mgr-password-0006' };
const PEER_PASSPHRASE = 'e2e peer passphrase 31';
const MANAGER_PASSPHRASE = 'e2e manager passphrase 62';
const NAME = 'quorum-hello';

/** A WASI module that prints `text` (at most 24 bytes), so every variant has its own digest. */
const helloWat = (text: string) => `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "${text.padEnd(24, '.').slice(0, 24)}")
  (func (export "_start") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 24))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

interface ActivePolicy {
  name: string;
  revision: number;
  policy: { approval: { groups: Record<string, string[]>; quorum: { role?: string; group?: string; count: number }[] } } & Record<string, unknown>;
}
interface Outcome { kind: string; applied: number | null; proposal: string | null }
interface RunResult { record: { decision: string; approval?: { restsOn: { approver: string }[] } } }
interface ReviewView { submission: { state: string }; quorum: { state: string; decisions: unknown[] }; statement: { policy: { name: string; revision: number } } }

test('two approvers from the required groups sign on their phones; one is not enough, the owner is refused, a rejected or re-coded module never runs; quarantine release by quorum', async ({ browser, apiAs, asRole, origin }) => {
  test.setTimeout(300_000);
  const dataDir = dataDirOf(runDir());
  const admin = await apiAs('admin');
  const approver = await apiAs('approver');
  const operator = await apiAs('operator');
  for (const p of [PEER, MANAGER]) nightcoreOrThrow(dataDir, ['user', 'add', p.username, '--role', 'approver', '--password-stdin'], `${p.password}\n`);

  // --- Raise the quorum through the policy lifecycle. -------------------------------------------
  const before = expectData(await trpcQuery<ActivePolicy>(admin, 'policies.active'), 'policies.active');
  const original = before.policy;
  const approverKey = await registerScriptKey(approver, origin);
  const signProposal = async (id: string, reason: string) => {
    const view = expectData(await trpcQuery<{ statement: StatementFields }>(approver, 'policies.proposal', { id }), 'policies.proposal');
    const signed = sign(approverKey, { ...view.statement, decision: 'approve', reason, time: new Date().toISOString() });
    return expectData(await trpcMutation<{ state: string; revision: number | null }>(approver, origin, 'policies.decide', { id, signed }), 'policies.decide');
  };
  // A new group lets new people approve: a weakening, a proposal the current quorum (one approver) signs.
  const withGroup = { ...original, approval: { ...original.approval, groups: { ...original.approval.groups, managers: [MANAGER.username] } } };
  const grouped = expectData(await trpcMutation<Outcome>(admin, origin, 'policies.propose', { text: JSON.stringify(withGroup), reason: 'e2e: managers sign off agent code' }), 'policies.propose');
  expect(grouped.kind).toBe('weakening');
  expect(grouped.applied).toBeNull();
  expect(await signProposal(grouped.proposal!, 'e2e: the group alone changes no quorum')).toMatchObject({ state: 'applied', revision: before.revision + 1 });
  // Needing a manager as well as the approver already required: a tightening, in force at once.
  const twoOf = { ...withGroup, approval: { ...withGroup.approval, quorum: [...original.approval.quorum, { group: 'managers', count: 1 }] } };
  const raised = expectData(await trpcMutation<Outcome>(admin, origin, 'policies.propose', { text: JSON.stringify(twoOf), reason: 'e2e: one peer AND one manager' }), 'policies.propose');
  expect(raised).toEqual({ kind: 'tightening', applied: before.revision + 2, proposal: null });
  const inForce = expectData(await trpcQuery<ActivePolicy>(admin, 'policies.active'), 'policies.active');
  expect(inForce.policy.approval.quorum).toEqual([{ role: 'approver', count: 1 }, { group: 'managers', count: 1 }]);

  // --- An agent (owned by the approver account) submits through the REST endpoint. ---------------
  const added = nightcoreOrThrow(dataDir, ['agent', 'add', 'quorum-bot', '--owner', ACCOUNTS.approver.username]);
  const token = /(nca_[A-Za-z0-9_-]+)/.exec(added.stdout)?.[1];
  expect(token).toBeTruthy();
  const manifest = (name: string, version: string) => ({ name, version, capabilities: ['stdout'] });
  const submit = async (wasm: Uint8Array, name: string, version: string, purpose: string): Promise<Submitted> => {
    const r = await submitAsAgent(origin, token!, wasm, manifest(name, version), purpose);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return r.body.submission!;
  };
  const good = await submit(await compileWat(helloWat('quorum approved')), NAME, '1.0.0', 'e2e: approve me, twice');
  const bad = await submit(await compileWat(helloWat('quorum rejected')), 'quorum-nope', '1.0.0', 'e2e: reject me');
  const statementOf = (s: Submitted, policy: { name: string; revision: number }) => ({
    format: 'nightcore.approval/v1' as const, subject: `submission:${s.id}`, wasmSha256: s.wasmSha256, manifestSha256: s.manifestSha256, policy,
  });
  const policyNow = { name: inForce.name, revision: inForce.revision };
  const run = (name: string, version?: string) => trpcMutation<RunResult>(operator, origin, 'modules.run', version ? { name, version } : { name });
  const reviewOf = async (id: string) => expectData(await trpcQuery<ReviewView>(operator, 'inbox.review', { id }), 'inbox.review');

  // The owner is an approver, but not for their own agent's code: the server refuses the signed statement.
  const refused = await trpcMutation(approver, origin, 'inbox.decide', {
    id: good.id,
    signed: sign(approverKey, { ...statementOf(good, policyNow), decision: 'approve', reason: 'mine, trust me', time: new Date().toISOString() }),
  });
  expect(refused.error?.message).toContain('owns the agent');
  expect((await reviewOf(good.id)).quorum.decisions).toEqual([]);

  const peer = await signInOnPhone(browser, origin, `/inbox/${good.id}`, PEER.username, PEER.password);
  const manager = await signInOnPhone(browser, origin, `/inbox/${good.id}`, MANAGER.username, MANAGER.password);
  try {
    // --- The peer signs first, in their browser: one of two places, nothing runs yet. -------------
    const p = peer.page;
    await expect(p.getByText('1 with role approver AND 1 from group managers')).toBeVisible();
    await p.getByTestId('key-passphrase').fill(PEER_PASSPHRASE);
    await p.getByTestId('create-key').tap();
    await p.getByTestId('decision-reason').fill('e2e peer: read the code');
    await p.getByTestId('decision-passphrase').fill(PEER_PASSPHRASE);
    await p.getByTestId('sign-approve').tap();
    await expect(p.getByRole('status')).toContainText('The submission is pending: 1 of 2 approval(s) needed');
    await expect(p.getByText('e2e-peer signed an approval')).toBeVisible();
    expect((await run(NAME)).error?.data?.code).toBe('MODULE_NOT_FOUND');
    // One person counts once: a second statement of the peer's, from another key, fills no second place.
    const peerScriptKey = await registerScriptKey(p.request, origin);
    await trpcMutation(p.request, origin, 'inbox.decide', {
      id: good.id,
      signed: sign(peerScriptKey, { ...statementOf(good, policyNow), decision: 'approve', reason: 'e2e peer again', time: new Date().toISOString() }),
    });
    expect((await reviewOf(good.id)).quorum.state).toBe('pending');
    expect((await run(NAME)).error?.data?.code).toBe('MODULE_NOT_FOUND');

    // --- The manager signs in their own browser: the quorum is met and the module runs. ----------
    const m = manager.page;
    await m.getByTestId('key-passphrase').fill(MANAGER_PASSPHRASE);
    await m.getByTestId('create-key').tap();
    await m.getByTestId('decision-reason').fill('e2e manager: purpose is fine');
    await m.getByTestId('decision-passphrase').fill(MANAGER_PASSPHRASE);
    await m.getByTestId('sign-approve').tap();
    await expect(m.getByText('It is approved.')).toBeVisible();
    expect(await m.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    const ran = expectData(await run(NAME), 'modules.run');
    expect(ran.record.decision).toBe('allow');
    expect(ran.record.approval!.restsOn.map((r) => r.approver).sort()).toEqual([MANAGER.username, PEER.username]);

    // --- A rejection (the manager's, in the browser) ends a submission: it is never stored or run. -
    await m.goto(`/inbox/${bad.id}`);
    await m.getByTestId('decision-reason').fill('e2e manager: no purpose given');
    await m.getByTestId('decision-passphrase').fill(MANAGER_PASSPHRASE);
    await m.getByTestId('sign-reject').tap();
    await expect(m.getByText('It is rejected.')).toBeVisible();
    expect((await run('quorum-nope')).error?.data?.code).toBe('MODULE_NOT_FOUND');

    // --- Other code under the approved name: the approval does not follow it. --------------------
    const recoded = await compileWat(helloWat('quorum re-coded'));
    const reused = await submitAsAgent(origin, token!, recoded, manifest(NAME, '1.0.0'), 'e2e: same version, other bytes');
    expect(reused.status).toBe(422);
    expect(reused.body.error?.issues?.join('\n')).toMatch(/manifest\.version: quorum-hello@1\.0\.0 is already stored with other code/);
    const next = await submit(recoded, NAME, '1.1.0', 'e2e: new digest under the approved name');
    expect(next.wasmSha256).not.toBe(good.wasmSha256);
    const nextReview = await reviewOf(next.id);
    expect(nextReview.submission.state).toBe('pending');
    expect(nextReview.quorum.decisions).toEqual([]);
    // An approval of the old bytes, replayed onto the new submission, counts for nothing.
    const managerScriptKey = await registerScriptKey(m.request, origin);
    const replayed = await trpcMutation(m.request, origin, 'inbox.decide', {
      id: next.id,
      signed: sign(managerScriptKey, { ...statementOf(next, policyNow), wasmSha256: good.wasmSha256, decision: 'approve', reason: 'e2e: replay', time: new Date().toISOString() }),
    });
    expect(replayed.error?.message).toContain('different wasm bytes');
    expect((await run(NAME, '1.1.0')).error?.data?.code).toBe('MODULE_NOT_FOUND');
    // The approved version still runs: the new digest did not replace it.
    expect(expectData(await run(NAME), 'modules.run').record.decision).toBe('allow');
    // Cleared from the inbox by a rejection, so nothing is left pending for other specs.
    expectData(
      await trpcMutation(m.request, origin, 'inbox.decide', {
        id: next.id,
        signed: sign(managerScriptKey, { ...statementOf(next, policyNow), decision: 'reject', reason: 'e2e: not reviewed', time: new Date().toISOString() }),
      }),
      'inbox.decide',
    );
    expect((await run(NAME, '1.1.0')).error?.data?.code).toBe('MODULE_NOT_FOUND');

    // --- Quarantine on a phone, release by the same quorum on two phones. -------------------------
    const op = await asRole('operator', PHONE);
    await op.goto('/quarantine');
    await op.getByTestId('quarantine-target').fill(`${NAME}@1.0.0`);
    await op.getByTestId('quarantine-reason').fill('e2e: hold it for the quorum');
    await op.getByTestId('quarantine-module').tap();
    await expect(op.getByRole('status').filter({ hasText: `${NAME} is now in quarantine.` })).toBeVisible();
    expect(expectData(await run(NAME), 'modules.run').record.decision).toBe('deny');

    const releaseOn = async (page: typeof p, reason: string, passphrase: string) => {
      await page.goto('/quarantine');
      const row = page.getByTestId('quarantine-row').filter({ hasText: NAME });
      await expect(row).toContainText('e2e: hold it for the quorum');
      await row.getByTestId('release-quarantine').tap();
      // The key made on this phone for the inbox is the one that signs the release.
      await row.getByTestId('release-reason').fill(reason);
      await row.getByTestId('release-passphrase').fill(passphrase);
      await row.getByTestId('release-confirm').tap();
      return row;
    };
    const held = await releaseOn(p, 'e2e peer: checked', PEER_PASSPHRASE);
    await expect(held.getByTestId('release-result')).toContainText('Your signature is recorded.');
    await expect(held.getByTestId('release-progress')).toContainText('1 of 2');
    expect(await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    expect(expectData(await run(NAME), 'modules.run').record.decision).toBe('deny');

    await releaseOn(m, 'e2e manager: checked too', MANAGER_PASSPHRASE);
    await expect(m.getByTestId('quarantine-row').filter({ hasText: NAME })).toHaveCount(0);
    const history = m.getByTestId('release-history-row').filter({ hasText: NAME }).first();
    await expect(history).toContainText(`${PEER.username} signed`);
    await expect(history).toContainText(`${MANAGER.username} signed`);
    expect(await m.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    expect(expectData(await run(NAME), 'modules.run').record.decision).toBe('allow');

    // --- Put the policy back: a weakening, so a proposal the peer and the manager both sign. ------
    const restore = expectData(
      await trpcMutation<Outcome>(admin, origin, 'policies.restore', { revision: before.revision, reason: 'e2e: back to the shipped quorum' }),
      'policies.restore',
    );
    expect(restore.kind).toBe('weakening');
    const signOnPage = async (page: typeof p, passphrase: string) => {
      await page.goto(`/policies/proposals/${restore.proposal}`);
      await page.getByTestId('decision-reason').fill('e2e: restore the shipped policy');
      await page.getByTestId('decision-passphrase').fill(passphrase);
      await page.getByTestId('sign-approve').tap();
    };
    await signOnPage(p, PEER_PASSPHRASE);
    await expect(p.getByRole('status')).toContainText('The policy proposal is pending: 1 of 2 approval(s) needed');
    await signOnPage(m, MANAGER_PASSPHRASE);
    // The page refreshes with the outcome (the decision form gives way to the proposal's state).
    await expect(m.getByText('This proposal is applied.')).toBeVisible();
    // Its approvals are shown under the quorum that decided them (both people), not the lower one it brought.
    await expect(m.getByText(/^e2e-peer: approve at/)).toBeVisible();
    await expect(m.getByText(/^e2e-mgr: approve at/)).toBeVisible();
    const after = expectData(await trpcQuery<ActivePolicy>(admin, 'policies.active'), 'policies.active');
    expect(after.revision).toBe(before.revision + 3);
    expect(after.policy.approval).toEqual(original.approval);
  } finally {
    await peer.context.close();
    await manager.context.close();
  }
});
