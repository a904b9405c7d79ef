/**
 * Issue 15's budget: the first load of Watchtower stays at or under 287 KiB of JavaScript (gzip),
 * and its stat cards are in the server's HTML (first paint, before any script runs). "First load"
 * is what the server's HTML asks for, as Next.js counts it: chunks imported lazily afterwards (the
 * charts, `next/dynamic` with ssr: false, only when there are runs to draw) are not part of it. The
 * sizes are the gzip sizes of those files, read from the build that is being served.
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

  const ours = [...new Set([...html.matchAll(/<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/g)].map((m) => m[1]!))];
  expect(ours.length).toBeGreaterThan(0);
  // The page itself renders with those scripts (the cards are interactive links once hydrated).
  const page = await asRole('viewer', { viewport: { width: 1280, height: 900 } });
  await page.goto('/');
  await expect(page.getByTestId('watchtower-stats')).toBeVisible();
  const sizes = ours.map((p) => ({ path: p, gzip: gzipSync(readFileSync(join('.next', decodeURIComponent(p.slice('/_next'.length))))).length }));
  const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
  await test.info().attach('watchtower-first-load.json', { body: JSON.stringify({ totalKiB: +(total / 1024).toFixed(1), sizes }, null, 2), contentType: 'application/json' });
  console.log(`Watchtower first-load JavaScript: ${(total / 1024).toFixed(1)} KiB gzip in ${sizes.length} files (budget 287 KiB)`);
  expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
});
