/**
 * The Agent Inbox end to end, under the shipped policy (quorum: one approver): an agent submits an
 * unsigned module through the REST endpoint; the owner of the agent cannot approve it (the server
 * refuses, the page says why); a second approver signs an approval in the browser with a key made there;
 * the module then appears as an "approved submission" and runs; a rejected submission is never
 * stored and never runs. Keys are generated during the run, never committed.
 */
import { test, expect } from './fixtures';
import { ACCOUNTS } from './support/accounts';
import { dataDirOf, runDir } from './support/env';
import { nightcoreOrThrow } from './support/cli';
import { compileWat } from './support/modules';
import { expectData, trpcMutation, trpcQuery } from './support/trpc';
import { registerScriptKey, sign } from './support/approvals';

const PASSPHRASE = 'e2e inbox passphrase';
const ANA_PASSWORD = 'e2e-ana-password-0001';
const HELLO_WAT = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi from an agent\\n")
  (func (export "_start") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 17))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

async function submit(origin: string, token: string, name: string, tag: string) {
  const wasm = await compileWat(HELLO_WAT.replace('hi from an agent', `hi ${tag.padEnd(14, '.').slice(0, 14)}`));
  const form = new FormData();
  form.append('module', new Blob([new Uint8Array(wasm)]), 'module.wasm');
  form.append('purpose', `e2e: ${tag}`);
  form.append('manifest', JSON.stringify({ name, version: '1.0.0', capabilities: ['stdout'] }));
  const res = await fetch(new URL('/api/v1/submissions', origin), { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { submission: { id: string; wasmSha256: string; manifestSha256: string } }).submission;
}

test('an agent submits; the owner cannot approve; an approver signs in the browser; it runs; a rejected one never runs', async ({ browser, asRole, apiAs, origin }) => {
  const added = nightcoreOrThrow(dataDirOf(runDir()), ['agent', 'add', 'e2e-bot', '--owner', ACCOUNTS.approver.username]);
  const token = /(nca_[A-Za-z0-9_-]+)/.exec(added.stdout)?.[1];
  expect(token).toBeTruthy();
  // No token, no submission.
  expect((await fetch(new URL('/api/v1/submissions', origin), { method: 'POST', body: new FormData() })).status).toBe(401);

  const good = await submit(origin, token!, 'agent-hello', 'approve me');
  const bad = await submit(origin, token!, 'agent-nope', 'reject me');

  // The owner (an approver) may not decide: the server refuses their signed statement, the page says why.
  const owner = await apiAs('approver');
  const ownerKey = await registerScriptKey(owner, origin);
  const policy = { name: 'default', revision: 1 };
  const fields = (s: typeof good) => ({ format: 'nightcore.approval/v1' as const, subject: `submission:${s.id}`, wasmSha256: s.wasmSha256, manifestSha256: s.manifestSha256 });
  const review = expectData(await trpcQuery<{ statement: { policy: typeof policy } }>(owner, 'inbox.review', { id: good.id }), 'inbox.review');
  const refused = await trpcMutation(owner, origin, 'inbox.decide', {
    id: good.id,
    signed: sign(ownerKey, { ...fields(good), policy: review.statement.policy, decision: 'approve', reason: 'mine, trust me', time: new Date().toISOString() }),
  });
  expect(refused.error?.message).toContain('owns the agent');
  const ownerPage = await asRole('approver');
  await ownerPage.goto(`/inbox/${good.id}`);
  await expect(ownerPage.getByText('You own the agent that submitted this, so you cannot decide it.')).toBeVisible();

  // Not runnable before approval: not even stored as a module.
  const operator = await apiAs('operator');
  expect((await trpcMutation(operator, origin, 'modules.run', { name: 'agent-hello' })).error?.data?.code).toBe('MODULE_NOT_FOUND');

  // A second approver (not the owner) signs in the browser with a key made there.
  nightcoreOrThrow(dataDirOf(runDir()), ['user', 'add', 'e2e-ana', '--role', 'approver', '--password-stdin'], `${ANA_PASSWORD}\n`);
  const context = await browser.newContext({ baseURL: origin });
  const admin = await context.newPage();
  await admin.goto('/signin');
  await admin.getByLabel('Username').fill('e2e-ana');
  await admin.getByLabel('Password').fill(ANA_PASSWORD);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await expect(admin.getByTestId('current-user')).toHaveText('e2e-ana');
  await admin.goto(`/inbox/${good.id}`);
  await admin.getByTestId('key-passphrase').fill(PASSPHRASE);
  await admin.getByTestId('create-key').click();
  await admin.getByTestId('decision-reason').fill('e2e: read the evidence');
  await admin.getByTestId('decision-passphrase').fill(PASSPHRASE);
  await admin.getByTestId('sign-approve').click();
  // The page refreshes with the decision: the quorum (one approver) is met.
  await expect(admin.getByText('It is approved.')).toBeVisible();

  // It is a module now, marked as an approved submission with its approval, and it runs.
  await admin.goto('/modules/agent-hello');
  await expect(admin.getByTestId('version-source')).toHaveText('approved submission');
  await expect(admin.getByTestId('version-approval')).toContainText('e2e: read the evidence');
  const ran = expectData(await trpcMutation<{ record: { decision: string; approval: { restsOn: { approver: string }[] } } }>(operator, origin, 'modules.run', { name: 'agent-hello' }), 'modules.run');
  expect(ran.record.decision).toBe('allow');
  expect(ran.record.approval.restsOn.map((r) => r.approver)).toEqual(['e2e-ana']);

  // Rejected (by a script key of ana's; a rejection counts from anyone eligible): never stored, never runs.
  const anaApi = admin.request;
  const adminKey = await registerScriptKey(anaApi, origin);
  expectData(
    await trpcMutation(anaApi, origin, 'inbox.decide', {
      id: bad.id,
      signed: sign(adminKey, { ...fields(bad), policy: review.statement.policy, decision: 'reject', reason: 'e2e: no', time: new Date().toISOString() }),
    }),
    'inbox.decide',
  );
  expect((await trpcMutation(operator, origin, 'modules.run', { name: 'agent-nope' })).error?.data?.code).toBe('MODULE_NOT_FOUND');
  await context.close();
});
