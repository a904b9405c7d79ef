/** The audit trail from the console: verify the hash chain, and export it in both formats. */
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures';
import { ensureHelloUploaded } from './support/console';
import { expectData, trpcMutation } from './support/trpc';

interface ExportedEvent {
  seq: number;
  action: string;
  actor: string;
  payload: unknown;
  prevHash: string;
  hash: string;
}

test.describe('audit', () => {
  // Whatever order the specs run in, the chain holds more than the seed: an import and a run.
  test.beforeEach(async ({ asRole, apiAs, origin }) => {
    await ensureHelloUploaded(await asRole('operator'));
    expectData(await trpcMutation(await apiAs('operator'), origin, 'modules.run', { name: 'hello' }), 'modules.run');
  });

  test('verifying the chain shows progress, then intact', async ({ asRole }) => {
    const page = await asRole('admin');
    await page.goto('/audit');
    await expect(page.getByTestId('page-title')).toHaveText(/Audit/);
    await expect(page.getByTestId('audit-row').first()).toBeVisible();
    // Hold the server's answer until the progress display has been seen: without the gate a short
    // chain verifies faster than an assertion can look.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/audit/verify', async (route) => {
      await gate;
      await route.continue();
    });
    await page.getByTestId('verify-chain').click();
    await expect(page.getByTestId('verify-progress').getByRole('progressbar')).toBeVisible();
    await expect(page.getByTestId('verify-chain')).toHaveText(/Verifying/);
    release();

    const result = page.getByTestId('verify-result');
    await expect(result).toHaveText(/The chain is intact/);
    await expect(result).toHaveAttribute('data-ok', 'true');
    await expect(result).toContainText(/\d+ events and \d+ signed checkpoints verified/);
    await expect(page.getByTestId('verify-progress')).toHaveCount(0);
    await expect(page.getByTestId('verify-chain')).toHaveText('Verify chain');
  });

  test('exports JSON Lines that parse and chain, and CSV with the same events', async ({ asRole }) => {
    const page = await asRole('admin');
    await page.goto('/audit');

    const [jsonlDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-jsonl').click()]);
    expect(jsonlDownload.suggestedFilename()).toMatch(/\.jsonl$/);
    const lines = readFileSync(await jsonlDownload.path(), 'utf8').split('\n').filter((l) => l !== '');
    const events = lines.map((l) => JSON.parse(l) as ExportedEvent);
    expect(events.length).toBeGreaterThan(4);
    const actions = new Set(events.map((e) => e.action));
    // Seeded by global setup through the CLI: four accounts and the example publisher key.
    expect(actions).toContain('user.created');
    expect(actions).toContain('key.added');
    expect(actions).toContain('auth.login');
    expect(actions).toContain('module.imported');
    expect(actions).toContain('run.decided');
    // A chain, not a pile: consecutive sequence numbers, each event pointing at the previous hash.
    events.forEach((e, i) => {
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      if (i > 0) {
        expect(e.seq).toBe(events[i - 1]!.seq + 1);
        expect(e.prevHash).toBe(events[i - 1]!.hash);
      }
    });

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(csvDownload.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync(await csvDownload.path(), 'utf8');
    expect(csv.split(/\r?\n/)[0]).toBe('seq,time,actor,action,subject,payload,prev_hash,hash');
    for (const e of events.slice(0, 5)) expect(csv).toContain(e.hash);
    expect(csv).toContain('key.added');
  });

  test('roles without audit.export see no export links and the endpoint refuses them', async ({ asRole, apiAs }) => {
    for (const role of ['viewer', 'operator'] as const) {
      const page = await asRole(role);
      await page.goto('/audit');
      await expect(page.getByTestId('audit-row').first()).toBeVisible();
      await expect(page.getByTestId('export-jsonl')).toHaveCount(0);
      await expect(page.getByTestId('export-csv')).toHaveCount(0);
      const response = await (await apiAs(role)).get('/api/audit/export?format=jsonl');
      expect(response.status()).toBe(403);
      expect(((await response.json()) as { error?: { code?: string } }).error?.code).toBe('FORBIDDEN');
    }
    // The approver signs off on evidence, so may export it.
    const approver = await (await apiAs('approver')).get('/api/audit/export?format=jsonl');
    expect(approver.status()).toBe(200);
    expect((await approver.text()).split('\n')[0]).toMatch(/^\{"seq":1,/);
  });
});
