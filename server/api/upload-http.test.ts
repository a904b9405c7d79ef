/** The upload endpoint: who may call it, from where, how big, and what it answers. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HELLO } from '../core/sandbox/test-modules';
import { sessionFor } from './test-support';
import { openHarness, type Harness } from '../services/test-fixtures';
import { handleUploadRequest, UPLOAD_HEADER } from './upload-http';
import { UPLOAD_LIMITS } from '../services/upload';

const HOST = 'console.example:3000';
const SAME_ORIGIN = { host: HOST, origin: `http://${HOST}`, [UPLOAD_HEADER]: '1' };

function uploadRequest(files: { name: string; bytes: Uint8Array }[], headers: Record<string, string> = SAME_ORIGIN, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const f of files) form.append('files', new Blob([f.bytes as Uint8Array<ArrayBuffer>]), f.name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return new Request(`http://${HOST}/api/modules/upload`, { method: 'POST', headers, body: form });
}

describe('upload endpoint', () => {
  let h: Harness;
  let files: { name: string; bytes: Uint8Array }[];
  const services = () => h.services;
  beforeAll(() => {
    h = openHarness();
    const dir = h.bundle(HELLO, { name: 'via-http', version: '1.0.0', capabilities: ['stdout'] });
    files = readdirSync(dir).map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('imports for an operator and answers with the module', async () => {
    const res = await handleUploadRequest(uploadRequest(files), { user: async () => sessionFor('operator', 'olga'), services });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; module: { name: string; version: string } };
    expect(body).toMatchObject({ ok: true, module: { name: 'via-http', version: '1.0.0' } });
    expect(h.services.modules.find('via-http', '1.0.0')?.importedBy).toBe('user:olga');
  });

  it('answers 401 without a session and 403 for a role without modules.upload', async () => {
    const anon = await handleUploadRequest(uploadRequest(files), { user: async () => null, services });
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    for (const role of ['viewer', 'approver'] as const) {
      const res = await handleUploadRequest(uploadRequest(files), { user: async () => sessionFor(role), services });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
  });

  it('refuses cross-site requests and requests without the upload header', async () => {
    const evil = await handleUploadRequest(uploadRequest(files, { ...SAME_ORIGIN, origin: 'https://evil.example' }), { user: async () => sessionFor('admin'), services });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: { code: string } }).error.code).toBe('CSRF_REJECTED');
    const { [UPLOAD_HEADER]: _omitted, ...noHeader } = SAME_ORIGIN;
    void _omitted;
    const plainForm = await handleUploadRequest(uploadRequest(files, noHeader), { user: async () => sessionFor('admin'), services });
    expect(plainForm.status).toBe(403);
    expect(await plainForm.json()).toMatchObject({ ok: false, error: { code: 'CSRF_REJECTED', message: `forbidden: missing ${UPLOAD_HEADER} header` } });
  });

  it('answers 413 for a body over the cap, without parsing it', async () => {
    const big = new Uint8Array(UPLOAD_LIMITS.requestBytes + 1);
    const res = await handleUploadRequest(uploadRequest([{ name: 'module.wasm', bytes: big }]), { user: async () => sessionFor('admin'), services });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
  });

  it('answers 400 for a bad upload and 422 with every issue for a rejected module', async () => {
    const bad = await handleUploadRequest(uploadRequest([{ name: '../module.wasm', bytes: HELLO }]), { user: async () => sessionFor('admin'), services });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('UNSAFE_PATH');
    const unsigned = files.filter((f) => f.name !== 'nightcore.sig.json');
    const res = await handleUploadRequest(uploadRequest(unsigned), { user: async () => sessionFor('admin'), services });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: 'ENVELOPE_INVALID', message: 'nightcore.sig.json is missing or empty: the bundle is not signed', issues: [] },
    });
  });
});
