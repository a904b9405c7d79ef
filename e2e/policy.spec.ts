/**
 * Issue 11, policy lifecycle in the console: an admin edits the policy as JSON; the server names
 * every bad field by path; a valid change that weakens enforcement becomes a proposal the proposer
 * cannot approve; an approver signs it in the browser (their key is made and sealed there) and the
 * quorum (one approver, the default approval block) makes it the next revision, shown with its diff.
 * The proposal page carries its simulation: what the candidate would change on recorded runs.
 */
import { test, expect } from './fixtures';

test('edit a policy, see path errors, propose a weakening, simulate it, approve it by quorum, see the new revision', async ({ asRole }) => {
  test.setTimeout(120_000);
  const admin = await asRole('admin');
  await admin.goto('/policies');
  const identity = admin.getByTestId('policy-identity');
  const before = Number(/revision (\d+)/.exec((await identity.textContent()) ?? '')?.[1]);
  expect(before).toBeGreaterThan(0);

  const editor = admin.getByTestId('policy-editor');
  const original = JSON.parse(await editor.inputValue()) as Record<string, any>;

  // Invalid: the server lists each bad field by its path, and nothing is submitted.
  await editor.fill(JSON.stringify({ ...original, limits: { ...original.limits, fuel: -5 }, capabilities: ['net'] }, null, 2));
  await admin.getByTestId('policy-check').click();
  const issues = admin.getByTestId('policy-issues');
  await expect(issues).toContainText('limits.fuel: Too small: expected number to be >0');
  await expect(issues).toContainText('capabilities.0: Invalid option');

  // Valid and weaker: a longer wall-clock limit.
  const wallMs = (original.limits.wallMs as number) + 1000;
  await editor.fill(JSON.stringify({ ...original, limits: { ...original.limits, wallMs } }, null, 2));
  await admin.getByTestId('policy-check').click();
  await expect(admin.getByTestId('policy-check-result')).toContainText('weakening');
  await expect(admin.getByTestId('policy-check-result').locator('[data-path="limits.wallMs"]')).toHaveAttribute('data-effect', 'weaker');
  await admin.getByTestId('policy-reason').fill('long-running reports need 1 s more');
  await admin.getByTestId('policy-submit').click();
  const link = admin.getByTestId('policy-proposal-link');
  await expect(link).toBeVisible();
  const href = (await link.getAttribute('href'))!;
  expect(href).toMatch(/^\/policies\/proposals\/[0-9a-f-]{36}$/);

  // Nothing changed yet, and the proposer may not approve their own change.
  await admin.goto('/policies');
  await expect(identity).toContainText(`revision ${before}`);
  await admin.goto(href);
  await expect(admin.getByTestId('proposal-state')).toHaveText('pending');
  await expect(admin.getByText('You proposed this change, so you cannot approve it (separation of duties).')).toBeVisible();
  await expect(admin.getByTestId('sign-approve')).toHaveCount(0);

  // The approver makes a key in the browser, then signs.
  const approver = await asRole('approver');
  await approver.goto(href);
  await expect(approver.getByTestId('proposal-changes').locator('[data-path="limits.wallMs"]')).toContainText(`${wallMs}`);
  // The simulation is attached: recorded runs judged again under the candidate, before anyone signs.
  // A longer wall clock can only let more runs through, never deny one that was allowed.
  const simulation = approver.getByTestId('proposal-simulation').getByTestId('simulation-report');
  await expect(simulation).toBeVisible();
  await expect(simulation).toContainText(/over \d[\d,]* recorded runs?/);
  await expect(simulation.locator('[data-count="allowToDeny"] dd')).toHaveText('0');
  await approver.getByTestId('proposal-simulation-10000').click();
  await expect(approver.getByTestId('proposal-simulation-10000')).toHaveAttribute('aria-pressed', 'true');
  await expect(simulation).toBeVisible();
  const passphrase = 'policy e2e passphrase 42';
  await approver.getByTestId('key-passphrase').fill(passphrase);
  await approver.getByTestId('create-key').click();
  await approver.getByTestId('decision-reason').fill('reports are signed modules we run daily');
  await approver.getByTestId('decision-passphrase').fill(passphrase);
  await approver.getByTestId('sign-approve').click();
  // The page refreshes with the outcome; the decision form (and its status line) may already be gone.
  await expect(approver.getByText('This proposal is applied.')).toBeVisible();
  await approver.reload();
  await expect(approver.getByTestId('proposal-state')).toHaveText('applied');

  // The new revision is in force, with who, why and the diff in the history.
  await admin.goto('/policies');
  await expect(identity).toContainText(`revision ${before + 1}`);
  await expect(admin.getByTestId('policy-limits')).toContainText(wallMs.toLocaleString('en-US'));
  const revision = admin.getByTestId('policy-history').locator(`[data-revision="${before + 1}"]`);
  await expect(revision).toContainText('long-running reports need 1 s more');
  await expect(revision.locator('[data-path="limits.wallMs"]')).toHaveAttribute('data-effect', 'weaker');
});
