/**
 * Issue 15's budget: the first load of Watchtower stays at or under 287 KiB of JavaScript (gzip),
 * and its stat cards are in the server's HTML (first paint, before any script runs). The sizes are
 * the gzip sizes of the very files the page asks for, read from the build that is being served.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test, expect } from './fixtures';

const BUDGET_BYTES = 287 * 1024;

test('Watchtower: first-load JavaScript within 287 KiB gzip, stat cards in the first HTML', async ({ asRole, apiAs }) => {
  const html = await (await (await apiAs('viewer')).get('/')).text();
  expect(html).toContain('data-testid="watchtower-stats"');
  expect(html).toContain('data-testid="stat-runs"');

  const page = await asRole('viewer', { viewport: { width: 1280, height: 900 } });
  await page.goto('/');
  await expect(page.getByTestId('watchtower-stats')).toBeVisible();
  const scripts = await page.evaluate(() => Array.from(document.querySelectorAll('script[src]'), (s) => new URL((s as HTMLScriptElement).src).pathname));
  const ours = scripts.filter((p) => p.startsWith('/_next/static/'));
  expect(ours.length).toBeGreaterThan(0);
  const sizes = ours.map((p) => ({ path: p, gzip: gzipSync(readFileSync(join('.next', decodeURIComponent(p.slice('/_next'.length))))).length }));
  const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
  await test.info().attach('watchtower-first-load.json', { body: JSON.stringify({ totalKiB: +(total / 1024).toFixed(1), sizes }, null, 2), contentType: 'application/json' });
  console.log(`Watchtower first-load JavaScript: ${(total / 1024).toFixed(1)} KiB gzip in ${sizes.length} files (budget 287 KiB)`);
  expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
});
