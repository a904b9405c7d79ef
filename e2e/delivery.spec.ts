/**
 * Delivery (issues 10 and 13): an admin adds a webhook on the Delivery page, copies the secret it
 * shows once, and a receiver on 127.0.0.1 gets the next run decision signed with it; the page then
 * shows the webhook caught up with its attempt in the log. Other roles get no Delivery section and
 * the API refuses them. The page passes axe with a destination on it.
 */
import AxeBuilder from '@axe-core/playwright';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect } from './fixtures';
import { trpcMutation, trpcQuery, expectData } from './support/trpc';
import { ensureHelloUploaded } from './support/console';
import { verifyWebhook } from '../server/core/delivery/webhook';

interface Received {
  readonly body: string;
  readonly signature: string | undefined;
}

test('an admin adds a webhook; the next run decision reaches a local receiver, signed; the page shows it delivered', async ({ asRole, apiAs, origin }) => {
  test.setTimeout(120_000);
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['nightcore-signature'] as string | undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  try {
    const operator = await asRole('operator');
    await ensureHelloUploaded(operator);

    const admin = await asRole('admin');
    await admin.goto('/');
    await admin.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Delivery', exact: true }).click();
    await expect(admin.getByTestId('page-title')).toHaveText(/Delivery/);
    const name = `e2e-hook-${Date.now()}`;
    await admin.getByTestId('webhook-name').fill(name);
    await admin.getByTestId('webhook-url').fill(`http://127.0.0.1:${port}/hook`);
    for (const c of ['submissions', 'decisions', 'quarantines', 'releases']) await admin.getByTestId(`webhook-event-${c}`).uncheck();
    await admin.getByTestId('webhook-event-runs').check();
    await admin.getByTestId('add-webhook-submit').click();
    const secretBox = admin.getByTestId('webhook-secret');
    await expect(secretBox).toContainText('shown only this once');
    const secret = (await secretBox.locator('p.font-mono').textContent())!.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const row = admin.locator(`[data-testid="delivery-row"][data-name="${name}"]`);
    await expect(row).toBeVisible();
    await expect(row).not.toContainText(secret);

    // A run decision after the webhook exists is delivered, signed with the secret the page showed.
    const run = expectData(await trpcMutation<{ record: { runId: string } }>(await apiAs('operator'), origin, 'modules.run', { name: 'hello', args: [] }), 'modules.run');
    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const first = received[0]!;
    const event = JSON.parse(first.body);
    expect(event).toMatchObject({ type: 'run.decided', category: 'runs', subject: `run:${run.record.runId}` });
    expect(verifyWebhook(secret, first.body, first.signature, Math.floor(Date.now() / 1000)).ok).toBe(true);
    expect(verifyWebhook(secret, first.body.replace('"run.decided"', '"run.decidee"'), first.signature, Math.floor(Date.now() / 1000)).ok).toBe(false);

    await expect(row).toHaveAttribute('data-state', 'caught_up', { timeout: 15_000 });
    await row.getByText('Recent attempts').click();
    await expect(row.getByTestId('attempt-row').first()).toHaveAttribute('data-ok', 'true');

    const axe = await new AxeBuilder({ page: admin }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

    await row.getByRole('link', { name: 'Delivery log' }).click();
    await expect(admin.getByTestId('page-title')).toHaveText(new RegExp(name));
    await expect(admin.getByTestId('attempt-row').first()).toHaveAttribute('data-ok', 'true');

    // Disabled from the page: the next decision is not sent.
    await admin.goto('/admin/delivery');
    await admin.locator(`[data-testid="delivery-row"][data-name="${name}"]`).getByTestId('delivery-toggle').click();
    await expect(admin.locator(`[data-testid="delivery-row"][data-name="${name}"]`)).toHaveAttribute('data-state', 'disabled');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('the Delivery page and its procedures are for admins only; bad URLs are refused with the reason', async ({ asRole, apiAs, origin }) => {
  for (const role of ['viewer', 'operator', 'approver'] as const) {
    const page = await asRole(role);
    await page.goto('/');
    await expect(page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Delivery', exact: true })).toHaveCount(0);
    await page.goto('/admin/delivery');
    await expect(page.getByText('Not available for your role')).toBeVisible();
    await expect(page.getByTestId('add-webhook-form')).toHaveCount(0);
    const api = await apiAs(role);
    expect((await trpcQuery(api, 'delivery.status')).status).toBe(403);
    const refused = await trpcMutation(api, origin, 'delivery.createWebhook', { name: 'x', url: 'https://h.example/', events: ['runs'] });
    expect([refused.status, refused.error?.data?.code]).toEqual([403, 'FORBIDDEN']);
  }
  const admin = await apiAs('admin');
  const bad = await trpcMutation(admin, origin, 'delivery.createWebhook', { name: `bad-${Date.now()}`, url: 'file:///etc/passwd', events: ['runs'] });
  expect(bad.status).toBe(400);
  expect(bad.error?.message).toContain('only http and https');
});
