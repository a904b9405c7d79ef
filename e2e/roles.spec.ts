/**
 * What each role may and may not do, checked from the outside: the navigation a role sees, the
 * buttons on the pages, and — because hidden buttons prove nothing — direct tRPC calls with a
 * valid session and a correct Origin header, which the server must refuse with 403 FORBIDDEN.
 * The expectations are WRITTEN OUT below (ALLOWED), not derived from server/core/access/rbac.ts or
 * server/api/permissions.ts: a wrong permission there must fail here.
 */
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures';
import type { E2ERole } from './support/accounts';
import { trpcMutation, trpcQuery, expectData } from './support/trpc';
import { registerScriptKey, signRelease } from './support/approvals';
import { ensureHelloUploaded, HELLO_BUNDLE_FILES } from './support/console';
import { PROCEDURE_ACCESS } from '../server/api/permissions';
import { generateKeyPair } from '../server/core/crypto/ed25519';
import { encodePublicKeyFile } from '../server/core/crypto/keys';

// A key nobody trusts yet, so a keys.add that slipped through would show up in the store.
const FRESH_KEY = encodePublicKeyFile(generateKeyPair().publicKey);
const HELLO_SHA256 = (JSON.parse(readFileSync('examples/hello-bundle/nightcore.json', 'utf8')) as { wasm: { sha256: string } }).wasm.sha256;

/** One call per guarded mutation, with input that would be accepted from a role allowed to make it. */
const MUTATIONS = {
  'modules.run': { name: 'hello' },
  'quarantine.add': { moduleName: 'hello', version: '1.0.0', reason: 'e2e: must be refused' },
  // The guard refuses before the statement is even read, so a malformed one is enough here.
  'quarantine.release': { id: 1, signed: { payload: 'e30=', keyid: '0'.repeat(64), sig: 'AA==' } },
  'keys.add': { publicKey: FRESH_KEY, role: 'publisher', name: 'e2e: must be refused' },
  'users.create': { username: 'mallory', role: 'admin', password: 'e2e-mallory-pass-0000' },
  // The attack the pinned tables exist for: a non-admin making an account admin.
  'users.setRole': { username: 'viewer', role: 'admin' },
  // The last admin: even if the guard failed, LAST_ADMIN would refuse, so nothing is lost.
  'users.disable': { username: 'admin' },
  'users.signOutEverywhere': { username: 'admin' },
} as const;
type Mutation = keyof typeof MUTATIONS;

const USER_ADMIN: readonly Mutation[] = ['users.create', 'users.setRole', 'users.disable', 'users.signOutEverywhere'];
const FORBIDDEN: Record<Exclude<E2ERole, 'admin'>, readonly Mutation[]> = {
  viewer: ['modules.run', 'quarantine.add', 'quarantine.release', 'keys.add', ...USER_ADMIN],
  operator: ['quarantine.release', 'keys.add', ...USER_ADMIN],
  approver: ['modules.run', 'keys.add', ...USER_ADMIN],
};

const ALL: readonly E2ERole[] = ['viewer', 'operator', 'approver', 'admin'];
const ADMIN: readonly E2ERole[] = ['admin'];
const RUNNERS: readonly E2ERole[] = ['operator', 'admin'];
/** Every tRPC procedure → the roles that may call it, written out by hand (same as server/api/rbac.test.ts). */
const ALLOWED: Readonly<Record<string, readonly E2ERole[]>> = {
  'users.me': ALL,
  'users.list': ADMIN,
  'users.create': ADMIN,
  'users.disable': ADMIN,
  'users.setRole': ADMIN,
  'users.signOutEverywhere': ADMIN,
  'users.unlock': ADMIN,
  'audit.page': ALL,
  'audit.actions': ALL,
  'audit.witnesses': ALL,
  'audit.prove': ALL,
  'keys.list': ALL,
  'keys.add': ADMIN,
  'keys.revoke': ADMIN,
  'modules.list': ALL,
  'modules.get': ALL,
  'modules.run': RUNNERS,
  'runs.list': ALL,
  'runs.get': ALL,
  'runs.replay': RUNNERS,
  'watchtower.summary': ALL,
  'watchtower.feed': ALL,
  'quarantine.list': ALL,
  'quarantine.add': ['operator', 'approver', 'admin'],
  'quarantine.release': ['approver', 'admin'],
  'quarantine.history': ALL,
  'inbox.pendingCount': ['approver', 'admin'],
  'quarantine.myKeys': ['approver', 'admin'],
  'policies.active': ALL,
  'policies.history': ALL,
  'policies.proposal': ALL,
  'policies.check': ADMIN,
  'policies.propose': ADMIN,
  'policies.restore': ADMIN,
  'policies.decide': ['approver', 'admin'],
  'inbox.list': ALL,
  'inbox.review': ALL,
  'inbox.decide': ['approver', 'admin'],
  'inbox.registerKey': ['approver', 'admin'],
  'license.features': ALL,
  'simulation.run': ALL,
  'simulation.recommend': ALL,
  'license.status': ADMIN,
  'license.install': ADMIN,
  'delivery.status': ADMIN,
  'delivery.attempts': ADMIN,
  'delivery.createWebhook': ADMIN,
  'delivery.setEnabled': ADMIN,
};

// Keys is readable by every role (keys.read; changing keys needs keys.manage); Users needs users.manage.
const NAV_ALWAYS = ['Watchtower', 'Modules', 'Runs', 'Quarantine', 'Audit log', 'Policies', 'Keys'];
const NAV_ADMIN_ONLY = ['Users', 'License', 'Delivery'];

test.describe('roles', () => {
  for (const [role, mutations] of Object.entries(FORBIDDEN) as [Exclude<E2ERole, 'admin'>, readonly Mutation[]][]) {
    test(`${role}: forbidden mutations answer 403 FORBIDDEN and change nothing`, async ({ apiAs, origin }) => {
      const api = await apiAs(role);
      for (const path of mutations) {
        const response = await trpcMutation(api, origin, path, MUTATIONS[path]);
        expect.soft(response.status, `${role} → ${path}`).toBe(403);
        expect.soft(response.error?.data?.code, `${role} → ${path}`).toBe('FORBIDDEN');
      }
      // Nothing slipped through: no account, no key, no quarantine entry with the refused reason.
      const admin = await apiAs('admin');
      // (This admin call working at all shows the admin's session was not signed out everywhere.)
      const users = expectData(await trpcQuery<{ username: string; role: string; disabled: boolean }[]>(admin, 'users.list'), 'users.list');
      expect(users.map((u) => u.username)).not.toContain('mallory');
      // No role was changed and the admin was not disabled.
      expect(users.find((u) => u.username === 'viewer')?.role).toBe('viewer');
      expect(users.find((u) => u.username === 'admin')).toMatchObject({ role: 'admin', disabled: false });
      // users.list itself is admin-only: the role asking gets 403, not the list.
      const listed = await trpcQuery(api, 'users.list');
      expect.soft([listed.status, listed.error?.data?.code], `${role} → users.list`).toEqual([403, 'FORBIDDEN']);
      const keys = expectData(await trpcQuery<{ name: string }[]>(admin, 'keys.list'), 'keys.list');
      expect(keys.map((k) => k.name)).not.toContain('e2e: must be refused');
      const held = expectData(await trpcQuery<{ reason: string }[]>(admin, 'quarantine.list'), 'quarantine.list');
      expect(held.map((q) => q.reason)).not.toContain('e2e: must be refused');
    });
  }

  test('every guarded procedure, over HTTP, matches the written-out table for every role', async ({ apiAs, origin }) => {
    // A procedure without a row here fails at once.
    expect(Object.keys(PROCEDURE_ACCESS).sort()).toEqual(Object.keys(ALLOWED).sort());
    const checked: string[] = [];
    const clients = new Map(await Promise.all(ALL.map(async (role) => [role, await apiAs(role)] as const)));
    for (const [path, allowedRoles] of Object.entries(ALLOWED)) {
      for (const role of ALL) {
        const api = clients.get(role)!;
        const allowed = allowedRoles.includes(role);
        // GET first: tRPC refuses GET for a mutation (405) before running anything, so this probe
        // never changes state; a query simply runs (reads only).
        const asQuery = await trpcQuery(api, path, {});
        const isMutation = asQuery.status === 405;
        if (!isMutation) {
          if (allowed) expect.soft(asQuery.error?.data?.code, `${role} → ${path}`).not.toBe('FORBIDDEN');
          else expect.soft([asQuery.status, asQuery.error?.data?.code], `${role} → ${path}`).toEqual([403, 'FORBIDDEN']);
          checked.push(`${role} ${path}`);
        } else if (!allowed) {
          // Only denied mutations are sent: the empty input would be rejected anyway, but the role check comes first.
          const asMutation = await trpcMutation(api, origin, path, {});
          expect.soft([asMutation.status, asMutation.error?.data?.code], `${role} → ${path}`).toEqual([403, 'FORBIDDEN']);
          checked.push(`${role} ${path}`);
        }
      }
    }
    expect(checked.length).toBeGreaterThan(Object.keys(ALLOWED).length);
    // The user-admin procedures the issue found unpinned, refused for every non-admin over HTTP.
    for (const path of ['users.list', 'users.setRole', 'users.disable', 'users.signOutEverywhere']) {
      for (const role of ['viewer', 'operator', 'approver'] as const) expect(checked, path).toContain(`${role} ${path}`);
    }
  });

  test('the upload endpoint refuses roles without modules.upload, and requests without its CSRF header', async ({ apiAs, origin }) => {
    // Any multipart body will do: the role and CSRF checks come before the files are read.
    const wasm = { name: 'module.wasm', mimeType: 'application/wasm', buffer: readFileSync(HELLO_BUNDLE_FILES[0]!) };
    const upload = async (role: E2ERole, withHeader: boolean) => {
      const response = await (await apiAs(role)).post('/api/modules/upload', {
        headers: { Origin: origin, ...(withHeader ? { 'x-nightcore-upload': '1' } : {}) },
        multipart: { files: wasm },
      });
      return { status: response.status(), code: ((await response.json()) as { error?: { code?: string } }).error?.code };
    };
    expect(await upload('viewer', true)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await upload('approver', true)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await upload('operator', false)).toEqual({ status: 403, code: 'CSRF_REJECTED' });
  });

  test('a mutation without a session is 401, and one without Origin is refused even for admin', async ({ playwright, apiAs, origin }) => {
    const anonymous = await playwright.request.newContext({ baseURL: origin });
    const unsigned = await trpcMutation(anonymous, origin, 'modules.run', MUTATIONS['modules.run']);
    expect(unsigned.status).toBe(401);
    expect(unsigned.error?.data?.code).toBe('UNAUTHORIZED');
    await anonymous.dispose();

    const admin = await apiAs('admin');
    const noOrigin = await admin.post('/api/trpc/users.create', {
      headers: { 'Content-Type': 'application/json' },
      data: JSON.stringify(MUTATIONS['users.create']),
    });
    expect(noOrigin.status()).toBe(403);
    const crossSite = await trpcMutation(admin, 'http://evil.example', 'users.create', MUTATIONS['users.create']);
    expect(crossSite.status).toBe(403);
    const users = expectData(await trpcQuery<{ username: string }[]>(admin, 'users.list'), 'users.list');
    expect(users.map((u) => u.username)).not.toContain('mallory');
  });

  test('viewer: read-only navigation, no upload or run buttons', async ({ asRole }) => {
    await ensureHelloUploaded(await asRole('operator'));
    const page = await asRole('viewer');
    await page.goto('/modules');
    const nav = page.getByRole('navigation', { name: 'Sections' });
    for (const label of NAV_ALWAYS) await expect(nav.getByRole('link', { name: label, exact: true })).toBeVisible();
    for (const label of NAV_ADMIN_ONLY) await expect(nav.getByRole('link', { name: label, exact: true })).toHaveCount(0);

    await expect(page.getByTestId('page-title')).toHaveText(/Modules/);
    await expect(page.locator('[data-testid="modules-row"][data-module="hello"]')).toBeVisible();
    await expect(page.getByTestId('upload-form')).toHaveCount(0);
    await expect(page.getByTestId('upload-submit')).toHaveCount(0);
    await page.locator('[data-testid="modules-row"][data-module="hello"]').getByRole('link').click();
    await expect(page).toHaveURL(/\/modules\/hello$/);
    await expect(page.getByTestId('page-title')).toContainText('hello');
    await expect(page.getByTestId('run-form')).toHaveCount(0);
    await expect(page.getByTestId('run-module')).toHaveCount(0);
  });

  test('operator: sees upload and run, can run through the API', async ({ asRole, apiAs, origin }) => {
    const page = await asRole('operator');
    await ensureHelloUploaded(page);
    await page.goto('/modules');
    await expect(page.getByTestId('upload-submit')).toBeVisible();
    await page.goto('/modules/hello');
    await expect(page.getByTestId('run-module')).toBeVisible();
    await page.goto('/quarantine');
    await expect(page.getByTestId('quarantine-module')).toBeVisible();
    await expect(page.getByTestId('release-quarantine')).toHaveCount(0);

    const ran = await trpcMutation<{ record: { decision: string } }>(await apiAs('operator'), origin, 'modules.run', MUTATIONS['modules.run']);
    expect(ran.status).toBe(200);
    expect(ran.data?.record.decision).toBe('allow');
  });

  test('approver: may release quarantine but not run', async ({ asRole, apiAs, origin }) => {
    const page = await asRole('approver');
    await ensureHelloUploaded(await asRole('operator'));
    await page.goto('/modules/hello');
    await expect(page.getByTestId('page-title')).toContainText('hello');
    await expect(page.getByTestId('run-module')).toHaveCount(0);
    await page.goto('/modules');
    await expect(page.getByTestId('upload-submit')).toHaveCount(0);
    await page.goto('/quarantine');
    await expect(page.getByTestId('page-title')).toHaveText('Quarantine');
    // Approvers may also hold a module (quarantine.add).
    await expect(page.getByTestId('quarantine-module')).toBeVisible();

    // The whole cycle through the API: the operator holds the module, the approver lets it go.
    const operator = await apiAs('operator');
    const approver = await apiAs('approver');
    const held = await trpcMutation<{ entry: { wasmSha256: string } }>(operator, origin, 'quarantine.add', { ...MUTATIONS['quarantine.add'], reason: 'e2e: hold for review' });
    try {
      expect(held.status).toBe(200);
      expect(held.data?.entry.wasmSha256).toBe(HELLO_SHA256);
      const blocked = await trpcMutation<{ record: { decision: string } }>(operator, origin, 'modules.run', MUTATIONS['modules.run']);
      expect(blocked.data?.record.decision).toBe('deny');
    } finally {
      // Under the shipped policy the quorum is one approver: one signed statement releases it.
      const released = await signRelease(approver, origin, await registerScriptKey(approver, origin), HELLO_SHA256, 'e2e: reviewed');
      expect(released.status).toBe(200);
      expect(released.data?.released).toBe(true);
    }
    const listed = expectData(await trpcQuery<{ wasmSha256: string }[]>(approver, 'quarantine.list'), 'quarantine.list');
    expect(listed.map((q) => q.wasmSha256)).not.toContain(HELLO_SHA256);
  });

  test('admin: sees Users and Keys and can open both', async ({ asRole }) => {
    const page = await asRole('admin');
    await page.goto('/');
    const nav = page.getByRole('navigation', { name: 'Sections' });
    for (const label of [...NAV_ALWAYS, ...NAV_ADMIN_ONLY]) await expect(nav.getByRole('link', { name: label, exact: true })).toBeVisible();

    await nav.getByRole('link', { name: 'Users', exact: true }).click();
    await expect(page.getByTestId('page-title')).toHaveText(/Users/);
    for (const name of ['admin', 'operator', 'approver', 'viewer']) {
      await expect(page.locator(`[data-testid="users-row"][data-username="${name}"]`)).toBeVisible();
    }
    await nav.getByRole('link', { name: 'Keys', exact: true }).click();
    await expect(page.getByTestId('page-title')).toHaveText(/Keys/);
    await expect(page.getByTestId('keys-row').filter({ hasText: 'Night Core example' })).toBeVisible();
    // Unlike every other role, the admin gets the controls that change trust.
    await expect(page.getByTestId('add-key-form')).toBeVisible();
    await expect(page.getByTestId('revoke-key').first()).toBeVisible();
  });

  test('viewer: a direct visit to admin pages shows no admin controls', async ({ asRole }) => {
    const page = await asRole('viewer');
    await page.goto('/users');
    // The page answers with an explanation instead of the data (and the API refuses too).
    await expect(page.getByText('Not available for your role')).toBeVisible();
    await expect(page.getByTestId('users-row')).toHaveCount(0);
    await expect(page.getByTestId('create-user-form')).toHaveCount(0);
    // Keys are readable by every role (keys.read) but only admins may change them.
    await page.goto('/keys');
    await expect(page.getByTestId('keys-row').filter({ hasText: 'Night Core example' })).toBeVisible();
    await expect(page.getByTestId('add-key-form')).toHaveCount(0);
    await expect(page.getByTestId('revoke-key')).toHaveCount(0);
  });
});
