/** The watchtower and policies routers over real services: a run shows up in the summary and the feed. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { TRPCError } from '@trpc/server';
import { openHarness, type Harness } from '../../services/test-fixtures';
import { wat } from '../../core/wasm/test-wat';
import { createCaller } from '../root';
import { ctxFor, sessionFor } from '../test-support';

let h: Harness;
const viewer = () => createCaller(ctxFor(sessionFor('viewer'), h.services));

beforeAll(async () => {
  h = openHarness();
  const module = h.install(wat('(module (func (export "_start")))'), { name: 'hello', version: '1.0.0' });
  const ran = await h.services.governor.run(module, {}, 'user:test');
  if (!ran.ok) throw new Error(ran.message);
});
afterAll(() => h.services.close());

describe('watchtower router', () => {
  it('summary counts the run; the feed lists it, and nothing after it', async () => {
    const s = await viewer().watchtower.summary({ window: '24h' });
    expect(s.runs.total).toBe(1);
    expect(s.runs.allowed + s.runs.denied).toBe(1);
    expect(s.series.reduce((n, b) => n + b.allowed + b.denied, 0)).toBe(1);
    expect(s.audit.headSeq).toBe(h.services.audit.head().seq);
    expect(s.audit.lastVerification).toBeNull();

    const feed = await viewer().watchtower.feed();
    expect(feed).toHaveLength(1);
    expect(feed[0]).toMatchObject({ moduleName: 'hello', moduleVersion: '1.0.0' });
    expect(await viewer().watchtower.feed({ afterStartedAt: feed[0]!.startedAt, afterId: feed[0]!.id })).toEqual([]);
  });

  it('rejects an unknown window and a malformed cursor', async () => {
    const code = async (p: Promise<unknown>) => p.then(() => 'OK', (e: unknown) => (e instanceof TRPCError ? e.code : 'THREW'));
    expect(await code(viewer().watchtower.summary({ window: '1y' as never }))).toBe('BAD_REQUEST');
    expect(await code(viewer().watchtower.feed({ afterStartedAt: 'yesterday' }))).toBe('BAD_REQUEST');
    expect(await code(viewer().watchtower.feed({ afterId: 'x' }))).toBe('BAD_REQUEST');
  });
});

describe('policies router', () => {
  it('returns the active policy with its digest and parsed rules', async () => {
    const active = await viewer().policies.active();
    expect(active.sha256).toBe(h.services.policy.sha256);
    expect(active.name).toBe(h.services.policy.policy.name);
    expect(active.revision).toBe(h.services.policy.policy.revision);
    expect(active.policy.pre).toEqual(h.services.policy.policy.pre);
    expect(active.policy.threat.bands).toEqual(h.services.policy.policy.threat.bands);
  });
});
