/** The main path of the product: upload the signed example, run it, see the decision everywhere. */
import { test, expect } from './fixtures';
import { HELLO_BUNDLE_FILES, uploadBundle } from './support/console';

test('operator uploads the example bundle, runs it, and the allow decision reaches Watchtower live', async ({ asRole }) => {
  // Someone is watching Watchtower before the run happens: the feed must update without a reload.
  const watcher = await asRole('viewer');
  await watcher.goto('/');
  await expect(watcher.getByTestId('page-title')).toHaveText(/Watchtower/);

  const page = await asRole('operator');
  // The three files of examples/hello-bundle, through the upload form (re-uploading is a no-op).
  await uploadBundle(page, HELLO_BUNDLE_FILES, 'hello');
  const row = page.locator('[data-testid="modules-row"][data-module="hello"]');
  await expect(row).toContainText('1.0.0');

  await row.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/modules\/hello$/);
  await expect(page.getByTestId('page-title')).toContainText('hello');
  await page.getByTestId('run-module').click();

  const result = page.getByTestId('run-result');
  await expect(result).toHaveAttribute('data-decision', 'allow');
  await expect(result.getByTestId('decision-badge').first()).toHaveText('allowed');
  await expect(result.getByTestId('run-result-stdout')).toContainText('Hello from Night Core!');
  const runHref = await result.getByTestId('run-result-link').getAttribute('href');
  expect(runHref).toMatch(/^\/runs\/[^/]+$/);

  // The watcher's feed picks up this very run (by its id) on its own.
  const feedRow = watcher.locator(`[data-testid="feed-row"]:has(a[href="${runHref}"])`);
  await expect(feedRow).toBeVisible();
  await expect(feedRow).toContainText('hello@1.0.0');
  await expect(feedRow).toContainText('allowed');

  // And the run's own page holds the same decision and output.
  await feedRow.getByRole('link').click();
  await expect(watcher).toHaveURL(new RegExp(`${runHref}$`));
  await expect(watcher.getByTestId('decision-badge').first()).toHaveText('allowed');
  await expect(watcher.getByTestId('run-stdout')).toContainText('Hello from Night Core!');

  // The Runs list holds it too, as allowed.
  const runId = decodeURIComponent(runHref!.slice('/runs/'.length));
  await watcher.goto('/runs');
  await expect(watcher.locator(`[data-testid="runs-row"][data-run-id="${runId}"]`)).toHaveAttribute('data-decision', 'allow');
  // Viewers may read the run but not re-execute it.
  await watcher.goto(runHref!);
  await expect(watcher.getByTestId('run-stdout')).toBeVisible();
  await expect(watcher.getByTestId('replay-run')).toHaveCount(0);

  // The operator replays it: same bytes, input and seed give the same outcome, fuel and output.
  await page.goto(runHref!);
  await page.getByTestId('replay-run').click();
  const replay = page.getByTestId('replay-result');
  await expect(replay).toHaveAttribute('data-identical', 'true');
  await expect(replay).toContainText('same output digest');
});
