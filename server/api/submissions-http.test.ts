/** The agent submission API: every status code it can answer, and the attacks on it. No network: plain Requests. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { HELLO, variant } from '../core/sandbox/test-modules';
import { openInboxHarness, type InboxHarness } from '../services/test-inbox';
import { handleGetSubmission, handleSubmit, type SubmissionHttpDeps } from './submissions-http';
import { openApiDocument } from './openapi';

const URL_BASE = 'http://127.0.0.1:3000/api/v1/submissions';
const LIMITS = { wasmBytes: 64 * 1024, requestBytes: 80 * 1024 };

function form(parts: { module?: Uint8Array | string; manifest?: string; purpose?: string }) {
  const f = new FormData();
  if (typeof parts.module === 'string') f.append('module', parts.module);
  else if (parts.module !== undefined) f.append('module', new Blob([parts.module as Uint8Array<ArrayBuffer>]), 'module.wasm');
  if (parts.manifest !== undefined) f.append('manifest', parts.manifest);
  if (parts.purpose !== undefined) f.append('purpose', parts.purpose);
  return f;
}

const post = (token: string | undefined, body: BodyInit, headers: Record<string, string> = {}) =>
  new Request(URL_BASE, { method: 'POST', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body });

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; issues: string[] } }).error;
}

describe('POST /api/v1/submissions and GET /api/v1/submissions/:id', () => {
  let at = new Date();
  let h: InboxHarness;
  let deps: SubmissionHttpDeps;
  const tokens: Record<string, string> = {};
  const agent = (name: string, over: { scopes?: string[]; ratePerHour?: number; expiresAt?: Date } = {}) => {
    const created = h.services.agents.create({ name, ownerUsername: 'owner', ...over }, 'user:admin');
    if (!created.ok) throw new Error(created.message);
    tokens[name] = created.value.token;
    return created.value;
  };
  const good = (tag: string) => form({ module: variant(HELLO, tag), manifest: JSON.stringify({ name: tag, version: '1.0.0' }), purpose: 'prints hello' });

  beforeAll(() => {
    h = openInboxHarness(() => at);
    h.person('owner', 'approver');
    deps = { services: () => h.services, limits: LIMITS };
    agent('ci-bot');
    agent('other-bot');
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('202 with the id and a Location; GET reads it back as pending', async () => {
    const res = await handleSubmit(post(tokens['ci-bot'], good('first')), deps);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { submission: { id: string; state: string; wasmSha256: string } };
    expect(body.submission.state).toBe('pending');
    expect(res.headers.get('location')).toBe(`/api/v1/submissions/${body.submission.id}`);
    const got = await handleGetSubmission(new Request(`${URL_BASE}/${body.submission.id}`, { headers: { authorization: `Bearer ${tokens['ci-bot']}` } }), body.submission.id, deps);
    expect(got.status).toBe(200);
    expect(((await got.json()) as { submission: { state: string } }).submission.state).toBe('pending');
    // Another agent cannot read it, and cannot tell it exists.
    const other = await handleGetSubmission(new Request(`${URL_BASE}/x`, { headers: { authorization: `Bearer ${tokens['other-bot']}` } }), body.submission.id, deps);
    expect(other.status).toBe(404);
  });

  it('401 for a missing, malformed, wrong, revoked or expired token, with WWW-Authenticate, before reading the body', async () => {
    const revoked = agent('revoked-bot');
    h.services.agents.revoke(revoked.agent.id, 'user:admin');
    agent('short-lived', { expiresAt: new Date(at.getTime() + 60_000) });
    const expiredToken = tokens['short-lived']!;
    at = new Date(at.getTime() + 120_000);
    const wrong = tokens['ci-bot']!.slice(0, -4) + 'AAAA';
    for (const token of [undefined, 'not-a-token', wrong, tokens['revoked-bot'], expiredToken]) {
      const res = await handleSubmit(post(token, good('unauth')), deps);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect((await errorOf(res)).code).toBe('UNAUTHORIZED');
    }
    const basic = await handleSubmit(post(undefined, good('basic'), { authorization: `Basic ${tokens['ci-bot']}` }), deps);
    expect(basic.status).toBe(401);
    const getRes = await handleGetSubmission(new Request(`${URL_BASE}/x`), 'x', deps);
    expect(getRes.status).toBe(401);
  });

  it('403 for a token without the scope', async () => {
    agent('reader', { scopes: ['submissions:read'] });
    expect((await handleSubmit(post(tokens['reader'], good('scope')), deps)).status).toBe(403);
  });

  it('413 when the declared length is over the cap, or a lying header says otherwise', async () => {
    const big = form({ module: new Uint8Array(LIMITS.requestBytes + 1), purpose: 'x' });
    expect((await handleSubmit(post(tokens['ci-bot'], big, { 'content-length': String(LIMITS.requestBytes + 1) }), deps)).status).toBe(413);
    expect((await handleSubmit(post(tokens['ci-bot'], good('nan'), { 'content-length': 'lots' }), deps)).status).toBe(413);
  });

  it('413 while streaming: stops reading an endless body shortly after the cap, never buffering it all', async () => {
    let pulled = 0;
    const chunk = new Uint8Array(16 * 1024);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const req = new Request(URL_BASE, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens['ci-bot']}`, 'content-type': 'multipart/form-data; boundary=x' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    const res = await handleSubmit(req, deps);
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(LIMITS.requestBytes + 4 * chunk.length);
  });

  it('413 for a module over the module cap inside a body under the request cap', async () => {
    const res = await handleSubmit(post(tokens['ci-bot'], form({ module: new Uint8Array(LIMITS.wasmBytes + 1), purpose: 'x' })), deps);
    expect(res.status).toBe(413);
  });

  it('415 for a body that is not multipart, and for a module that is not wasm', async () => {
    const json = await handleSubmit(post(tokens['ci-bot'], JSON.stringify({ module: 'AGFzbQ==' }), { 'content-type': 'application/json' }), deps);
    expect(json.status).toBe(415);
    const script = await handleSubmit(post(tokens['ci-bot'], form({ module: new TextEncoder().encode('#!/bin/sh\nrm -rf /'), purpose: 'x' })), deps);
    expect(script.status).toBe(415);
    expect((await errorOf(script)).code).toBe('NOT_WASM');
  });

  it('422 names every bad field of the module, the manifest and the purpose', async () => {
    const broken = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x7f]);
    const res = await handleSubmit(
      post(tokens['ci-bot'], form({ module: broken, manifest: JSON.stringify({ name: 'x', version: '1', capabilities: ['net'], colour: 'red' }), purpose: '' })),
      deps,
    );
    expect(res.status).toBe(422);
    const text = (await errorOf(res)).issues.join('\n');
    for (const field of ['module:', 'purpose', 'manifest.capabilities', 'colour']) expect(text).toContain(field);
    const notJson = await handleSubmit(post(tokens['ci-bot'], form({ module: HELLO, manifest: '{name:', purpose: 'x' })), deps);
    expect(notJson.status).toBe(422);
    expect((await errorOf(notJson)).issues).toEqual(['manifest: is not valid JSON']);
    const noModule = await handleSubmit(post(tokens['ci-bot'], form({ module: 'text, not a file', purpose: 'x' })), deps);
    expect(noModule.status).toBe(422);
  });

  it("429 over the agent's rate, with Retry-After; nothing stored", async () => {
    agent('slow', { ratePerHour: 1 });
    expect((await handleSubmit(post(tokens['slow'], good('slow-1')), deps)).status).toBe(202);
    const res = await handleSubmit(post(tokens['slow'], good('slow-2')), deps);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3600');
    expect(h.services.inbox.list().filter((s) => s.name === 'slow-2')).toEqual([]);
  });

  it('concurrent submissions cannot slip past the rate together', async () => {
    agent('burst', { ratePerHour: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => handleSubmit(post(tokens['burst'], good(`burst-${i}`)), deps)));
    expect(results.map((r) => r.status).sort()).toEqual([202, 202, 429, 429, 429, 429]);
  });

  it('405 for another method; 404 for an id that is not a uuid', async () => {
    expect((await handleSubmit(new Request(URL_BASE, { method: 'PUT', body: 'x' }), deps)).status).toBe(405);
    const res = await handleGetSubmission(new Request(`${URL_BASE}/x`, { headers: { authorization: `Bearer ${tokens['ci-bot']}` } }), "' OR 1=1 --", deps);
    expect(res.status).toBe(404);
  });

  it('the OpenAPI document describes every status the handlers answer', () => {
    const doc = openApiDocument();
    expect(Object.keys(doc.paths['/api/v1/submissions'].post.responses).sort()).toEqual(['202', '400', '401', '403', '413', '415', '422', '429']);
    expect(Object.keys(doc.paths['/api/v1/submissions/{id}'].get.responses).sort()).toEqual(['200', '401', '403', '404']);
  });
});
