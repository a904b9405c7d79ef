/**
 * Issue 15, "why denied in one glance": a module that traps is denied after running. The Runs
 * list says which rule failed on the row; the run page opens with "Denied because ..."; Watchtower's
 * "Top denied rules" opens the runs that failed that rule (filters in the URL, so Back and reload
 * work); the module filter is a substring; the module page has Run in its header and the result
 * shows every rule; audit rows for run.decided show decision and module and link to the run.
 * Plus: the 24h/7d/30d switch's accessible names are its text, and unknown paths get a styled 404.
 */
import { test, expect } from './fixtures';
import { runDir } from './support/env';
import { compileWat, writeSignedBundle } from './support/modules';
import { trpcMutation, expectData } from './support/trpc';
import { uploadBundle } from './support/console';

const NAME = 'why-denied-trapper';

test('a post-exec denial is explained on the list, the run page, Watchtower and the audit log', async ({ asRole, apiAs, origin }) => {
  test.setTimeout(120_000);
  const bundle = writeSignedBundle(runDir(), await compileWat('(module (memory (export "memory") 1) (func (export "_start") unreachable))'), { name: NAME, version: '1.0.0' });
  expectData(await trpcMutation(await apiAs('admin'), origin, 'keys.add', { publicKey: bundle.publicKeyFile, role: 'publisher', name: 'e2e why-denied publisher' }), 'keys.add');
  const page = await asRole('operator');
  await uploadBundle(page, bundle.files, NAME);

  // The module page: Run is in the header; the result lists every rule inline.
  await page.goto(`/modules/${NAME}`);
  await page.getByTestId('header-run').click();
  await expect(page).toHaveURL(/#run$/);
  await page.getByTestId('run-module').click();
  const result = page.getByTestId('run-result');
  await expect(result).toHaveAttribute('data-decision', 'deny');
  await expect(result.getByTestId('run-result-pre').locator('[data-rule]').first()).toBeVisible();
  const failing = result.getByTestId('run-result-post').locator('[data-outcome="fail"]').first();
  const rule = (await failing.getAttribute('data-rule'))!;
  expect(rule).toMatch(/^[a-z_]+$/);

  // The run page says why in one sentence at the top.
  await result.getByTestId('run-result-link').click();
  await expect(page.getByTestId('denied-because')).toHaveText(new RegExp(`^Denied because ${rule} failed after running: .+ The module trapped \\(unreachable\\)\\.`));
  await expect(page.getByTestId('denied-because')).toHaveAttribute('data-rule', rule);
  const runUrl = new URL(page.url()).pathname;

  // Runs: a substring of the module name finds it; the row names the rule; the filter is in the URL.
  await page.goto('/runs');
  await page.getByTestId('runs-filter-module').fill('trapp');
  await page.getByTestId('runs-filter-apply').click();
  await expect(page).toHaveURL(/\/runs\?module=trapp$/);
  const row = page.locator(`[data-testid="runs-row"]:has(a[href="${runUrl}"])`);
  await expect(row.getByTestId('runs-row-why')).toHaveText(`${rule} failed after running; trapped (unreachable)`);
  await page.reload();
  await expect(page.getByTestId('runs-filter-module')).toHaveValue('trapp');
  await expect(row).toBeVisible();

  // Watchtower: "Top denied rules" opens the runs that failed that rule in this window; Back returns.
  await page.goto('/?window=7d');
  await page.getByTestId('denied-rule-row').filter({ hasText: rule }).getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/runs\\?rule=${rule}&since=`));
  await expect(page.getByTestId('runs-active-filters')).toContainText(`Rule ${rule} failed`);
  await expect(row).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/\/\?window=7d$/);
  // Riskiest modules open that module's runs, not a page without them. Which modules rank is up to
  // the other specs' runs (only the top few are listed), so the first row is the one followed.
  const risky = page.getByTestId('risky-module-row').first();
  const riskyName = (await risky.locator('a > span').first().textContent())!.trim();
  await risky.getByRole('link').click();
  await expect(page).toHaveURL(/\/runs\?module=.+&since=/);
  expect(new URL(page.url()).searchParams.get('module')).toBe(riskyName);
  await expect(page.getByTestId('runs-row').first()).toBeVisible();

  // The audit log: the run.decided row shows the decision and module and links to the run.
  const viewer = await asRole('viewer');
  await viewer.goto('/audit');
  await viewer.getByTestId('filter-subject').fill(`run:${runUrl.split('/').pop()}`);
  await viewer.getByTestId('filter-apply').click();
  const decided = viewer.getByTestId('audit-row').filter({ hasText: 'run.decided' });
  // The filter applies asynchronously: wait for the one row of this run, not the unfiltered page.
  await expect(decided).toHaveCount(1);
  await expect(decided.getByTestId('audit-run-gist')).toContainText('denied');
  await expect(decided.getByTestId('audit-run-gist')).toContainText(`${NAME}@1.0.0`);
  await decided.getByTestId('audit-run-link').click();
  await expect(viewer).toHaveURL(new RegExp(`${runUrl}$`));
});

test('the window switch is named by its text, and an unknown path gets a styled 404 with a way back', async ({ asRole }) => {
  const page = await asRole('viewer');
  await page.goto('/');
  for (const w of ['24h', '7d', '30d']) await expect(page.getByRole('link', { name: w, exact: true })).toHaveCount(1);
  await page.goto('/no-such-page');
  await expect(page.getByTestId('page-title')).toHaveText('This page does not exist');
  await page.getByRole('navigation', { name: 'Where to go' }).getByRole('link', { name: 'Watchtower' }).click();
  await expect(page).toHaveURL(/\/$/);
});
