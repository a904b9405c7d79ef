/**
 * A run Guardian refuses, and the console saying why. The module is made here: it imports a function
 * of Emscripten's JavaScript glue (`env.emscripten_memcpy_js`), which Night Core never provides, so
 * `imports_allowed` refuses it before running; it is signed with a key generated for this test and
 * trusted by the admin on the Keys page before the operator uploads it.
 */
import { writeFileSync } from 'node:fs';
import { test, expect } from './fixtures';
import { runDir } from './support/env';
import { compileWat, writeSignedBundle } from './support/modules';
import { moduleExists, trustKeyOnKeysPage, uploadBundle } from './support/console';

const WANTS_JS_HOST = `(module
  (import "env" "emscripten_memcpy_js" (func $memcpy (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "_start")))`;

test('a run denied by imports_allowed shows the failing rule and its explanation', async ({ asRole }) => {
  const bundle = writeSignedBundle(runDir(), await compileWat(WANTS_JS_HOST), {
    name: 'wants-js-host',
    version: '1.0.0',
    description: 'e2e: imports JavaScript glue, which Night Core does not run',
  });
  // Trust is explicit: the admin registers the test's publisher key on the Keys page first.
  await trustKeyOnKeysPage(await asRole('admin'), bundle.publicKeyFile, bundle.keyid, 'e2e denied-run publisher');

  const page = await asRole('operator');
  await uploadBundle(page, bundle.files, 'wants-js-host');
  await page.locator('[data-testid="modules-row"][data-module="wants-js-host"]').getByRole('link').click();
  await expect(page).toHaveURL(/\/modules\/wants-js-host$/);
  await page.getByTestId('run-module').click();
  const result = page.getByTestId('run-result');
  await expect(result).toHaveAttribute('data-decision', 'deny');
  await expect(result.getByTestId('decision-badge').first()).toHaveText('denied');
  await expect(result.getByTestId('run-result-stdout')).toHaveCount(0);

  // The run's own page: every rule with its outcome; the failing one says what was refused.
  await result.getByTestId('run-result-link').click();
  await expect(page).toHaveURL(/\/runs\/[^/]+$/);
  await expect(page.getByTestId('decision-badge').first()).toHaveText('denied');
  await expect(page.getByTestId('run-outcome-text')).toHaveText(/Nothing ran: Guardian denied it before execution/);
  const rule = page.getByTestId('pre-rules').locator('[data-rule="imports_allowed"]');
  await expect(rule).toHaveCount(1);
  await expect(rule).toHaveAttribute('data-outcome', 'fail');
  await expect(rule).toContainText('failed');
  await expect(rule).toContainText('env.emscripten_memcpy_js');
  await expect(rule).toContainText(/JavaScript host/);
  // Nothing ran, so there is no post-exec verdict.
  await expect(page.getByTestId('post-rules')).toHaveCount(0);
  await expect(page.getByText('Not evaluated: the module did not run.')).toBeVisible();

  // The verdict names its policy; /policies shows that same policy, with the rule that fired.
  const policyLine = (await page.getByTestId('pre-rules').getByText(/^Policy .+, revision \d+$/).textContent()) ?? '';
  const [, policyName, revision] = /^Policy (.+), revision (\d+)$/.exec(policyLine) ?? [];
  expect(policyName).toBeTruthy();
  await page.goto('/policies');
  await expect(page.getByTestId('policy-identity')).toContainText(`${policyName} · revision ${revision}`);
  await expect(page.getByTestId('policy-rule-row').filter({ hasText: 'imports_allowed' })).toHaveCount(1);
});

test('uploads that fail verification are refused with their code and stored nowhere', async ({ asRole }) => {
  const page = await asRole('operator');
  const wasm = await compileWat('(module (memory (export "memory") 1) (func (export "_start")))');

  // Signed, but by a key no admin has trusted.
  const untrusted = writeSignedBundle(runDir(), wasm, { name: 'from-a-stranger', version: '1.0.0' });
  // Signed by a trusted key, then the code is swapped: the manifest's digest no longer matches.
  const swapped = writeSignedBundle(runDir(), wasm, { name: 'swapped-code', version: '1.0.0' });
  await trustKeyOnKeysPage(await asRole('admin'), swapped.publicKeyFile, swapped.keyid, 'e2e swapped-code publisher');
  writeFileSync(swapped.files[0]!, await compileWat('(module (memory (export "memory") 1) (func (export "_start") nop nop))'));

  for (const [bundle, name, code] of [
    [untrusted, 'from-a-stranger', 'UNTRUSTED_KEY'],
    [swapped, 'swapped-code', 'DIGEST_MISMATCH'],
  ] as const) {
    await page.goto('/modules');
    await page.getByTestId('upload-input').setInputFiles([...bundle.files]);
    await page.getByTestId('upload-submit').click();
    const error = page.getByTestId('upload-error');
    await expect(error).toContainText('The module was not imported');
    await expect(error).toContainText(`code: ${code}`);
    await expect(page.getByTestId('upload-success')).toHaveCount(0);
    await expect(page.locator(`[data-testid="modules-row"][data-module="${name}"]`)).toHaveCount(0);
    expect(await moduleExists(page, name)).toBe(false);
  }
});
