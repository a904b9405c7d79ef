/**
 * /metrics: disabled without a token, 401 for a missing or wrong token (prefixes, other lengths,
 * another scheme), and with the token the real services' figures in a valid exposition: a real
 * run counted by decision and outcome and timed, BUSY refusals, audit append latency, events since
 * the last checkpoint, sink lag through the registration point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleMetrics, tokenMatches } from './metrics-http';
import { openHarness, type Harness } from '../services/test-fixtures';
import { HELLO, UNREACHABLE, variant } from '../core/sandbox/test-modules';
import { parseExposition } from '../core/metrics/test-parse';
import { NightcoreMetrics } from '../services/metrics';
import type { Governor } from '../core/run';

const TOKEN = 'scrape-token-0123456789abcdef';
const get = (headers: Record<string, string> = {}, method = 'GET') => new Request('http://localhost:3000/metrics', { method, headers });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('GET /metrics access', () => {
  const deps = { token: () => TOKEN, render: () => '# HELP a b\n# TYPE a gauge\na 1\n' };

  it('is disabled (404) while NIGHTCORE_METRICS_TOKEN is unset, whatever is sent', async () => {
    const res = handleMetrics(get(bearer(TOKEN)), { ...deps, token: () => undefined });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('NIGHTCORE_METRICS_TOKEN');
  });

  it('answers 401 with a Bearer challenge to a missing, wrong, partial or differently sent token', async () => {
    for (const headers of [{}, bearer(''), bearer('wrong'), bearer(TOKEN.slice(0, -1)), bearer(`${TOKEN}x`), bearer(TOKEN.toUpperCase()), { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer  ${TOKEN}` }, { authorization: TOKEN }, { 'x-metrics-token': TOKEN }] as Record<string, string>[]) {
      const res = handleMetrics(get(headers), deps);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="nightcore-metrics"');
      expect(await res.text()).not.toContain('# HELP');
    }
    expect(handleMetrics(get(bearer(TOKEN), 'POST'), deps).status).toBe(405);
  });

  it('serves the exposition to the right token, uncached', async () => {
    const res = handleMetrics(get(bearer(TOKEN)), deps);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('# HELP a b\n# TYPE a gauge\na 1\n');
  });

  it('compares whole tokens only', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, 8), TOKEN)).toBe(false);
  });
});

describe('the metrics of real services', () => {
  let h: Harness;
  beforeAll(() => {
    h = openHarness({ poolSize: 1 });
  });
  afterAll(async () => {
    await h?.services.close();
  });

  const scrape = async () => {
    const res = handleMetrics(get(bearer(TOKEN)), { token: () => TOKEN, render: () => h.services.metrics.render() });
    expect(res.status).toBe(200);
    return parseExposition(await res.text());
  };
  const value = (f: ReturnType<typeof parseExposition>, name: string, labels: Record<string, string> = {}) =>
    f.get(name.replace(/_(bucket|sum|count)$/, ''))?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

  it('counts runs by decision and outcome, times them, and reads queue, audit and sink gauges', async () => {
    const before = await scrape();
    expect(value(before, 'nightcore_run_duration_seconds_count')).toBe(0);
    expect(value(before, 'nightcore_sandbox_capacity')).toBeUndefined(); // a scrape never starts the backend

    const hello = h.install(variant(HELLO, 'm1'), { name: 'hello', capabilities: ['stdout', 'stderr', 'exit'] });
    const trap = h.install(variant(UNREACHABLE, 'm2'), { name: 'trapper', capabilities: ['stdout', 'stderr', 'exit'] });
    const outcomes: string[] = [];
    for (const m of [hello, hello, trap]) {
      const r = await h.services.governor.run(m, {}, 'test:operator');
      if (!r.ok) throw new Error(r.message);
      outcomes.push(`${r.value.record.decision} ${r.value.record.execution?.outcome.kind ?? 'not_run'}`);
    }
    h.services.metrics.registerSinkLag('test', () => [{ sink: 'siem "main"', events: 7, seconds: 1.5 }]);

    const f = await scrape();
    const expected: Record<string, number> = {};
    for (const o of outcomes) expected[o] = (expected[o] ?? 0) + 1;
    for (const [key, n] of Object.entries(expected)) {
      const [decision, outcome] = key.split(' ');
      expect(value(f, 'nightcore_runs_total', { decision: decision!, outcome: outcome! }), key).toBe(n);
    }
    expect(f.get('nightcore_runs_total')!.samples.reduce((a, s) => a + s.value, 0)).toBe(3);
    expect(value(f, 'nightcore_run_duration_seconds_count')).toBe(3);
    expect(value(f, 'nightcore_run_duration_seconds_bucket', { le: '+Inf' })).toBe(3);
    expect(value(f, 'nightcore_sandbox_queue_depth')).toBe(0);
    expect(value(f, 'nightcore_sandbox_capacity')).toBe(1);
    expect(value(f, 'nightcore_sandbox_worker_replacements_total')).toBe(0);
    expect(value(f, 'nightcore_audit_append_duration_seconds_count')).toBeGreaterThanOrEqual(6); // run.started + run.decided per run
    const head = h.services.audit.head().seq;
    expect(value(f, 'nightcore_audit_head_seq')).toBe(head);
    expect(value(f, 'nightcore_audit_events_since_checkpoint')).toBe(head - (h.services.audit.latestCheckpoint()?.seq ?? 0));
    expect(value(f, 'nightcore_sink_lag_events', { sink: 'siem "main"' })).toBe(7);
    expect(value(f, 'nightcore_sink_lag_seconds', { sink: 'siem "main"' })).toBe(1.5);
    expect(f.get('nightcore_witness_lag_events')!.samples).toEqual([]); // no witnesses configured

    h.services.audit.checkpoint();
    expect(value(await scrape(), 'nightcore_audit_events_since_checkpoint')).toBe(0);
  }, 60_000);

  it('counts admission refusals (BUSY, RATE_LIMITED) by code without counting them as runs', async () => {
    const metrics = new NightcoreMetrics();
    const refusing = { run: async () => ({ ok: false, code: 'BUSY', message: 'full' }) } as unknown as Governor;
    const g = metrics.instrument(refusing);
    await g.run({} as never, {}, 'a');
    await g.run({} as never, {}, 'a');
    const f = parseExposition(metrics.render());
    expect(value(f, 'nightcore_run_refusals_total', { code: 'BUSY' })).toBe(2);
    expect(f.get('nightcore_runs_total')!.samples).toEqual([]);
  });
});
