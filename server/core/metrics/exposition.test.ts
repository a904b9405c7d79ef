/**
 * The exposition checked by a parser written here from the format's grammar (text format 0.0.4):
 * every sample belongs to a metric announced by HELP and TYPE, label values unescape to exactly
 * what was given, histograms are cumulative and end in +Inf = count.
 */
import { describe, expect, it } from 'vitest';
import { MetricsRegistry, escapeLabelValue } from './exposition';
import { parseExposition } from './test-parse';

describe('metrics exposition', () => {
  it('writes counters with labels whose hostile values come back exactly through a parser', () => {
    const r = new MetricsRegistry();
    const c = r.counter('x_total', 'Help with a \\ backslash\nand a newline.', ['module']);
    const hostile = 'a"b\\c\nd} e="f",g';
    c.inc({ module: hostile });
    c.inc({ module: hostile }, 2);
    c.inc({ module: 'plain' });
    const f = parseExposition(r.render()).get('x_total')!;
    expect(f.type).toBe('counter');
    expect(f.help).toBe('Help with a \\ backslash\nand a newline.');
    expect(f.samples).toEqual([
      { name: 'x_total', labels: { module: hostile }, value: 3 },
      { name: 'x_total', labels: { module: 'plain' }, value: 1 },
    ]);
    expect(escapeLabelValue('"\\\n')).toBe('\\"\\\\\\n');
  });

  it('writes cumulative histogram buckets ending in +Inf = count, with the sum', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('lat_seconds', 'Latency.', [0.1, 1, 10]);
    const seen = [0.05, 0.1, 0.5, 3, 3, 100];
    for (const v of seen) h.observe(v);
    h.observe(NaN); // ignored, never poisons the sum
    const f = parseExposition(r.render()).get('lat_seconds')!;
    const bucket = (le: string) => f.samples.find((s) => s.name === 'lat_seconds_bucket' && s.labels.le === le)!.value;
    expect([bucket('0.1'), bucket('1'), bucket('10'), bucket('+Inf')]).toEqual([2, 3, 5, 6]);
    expect(f.samples.find((s) => s.name === 'lat_seconds_count')!.value).toBe(seen.length);
    expect(f.samples.find((s) => s.name === 'lat_seconds_sum')!.value).toBeCloseTo(seen.reduce((a, b) => a + b, 0));
  });

  it('reads gauges at render time and leaves out one whose source throws', () => {
    const r = new MetricsRegistry();
    let depth = 3;
    r.gauge('depth', 'Queue depth.', () => [{ value: depth }]);
    r.gauge('broken', 'Throws.', () => {
      throw new Error('down');
    });
    r.sampled('replaced_total', 'Read from elsewhere.', 'counter', () => [{ labels: { pool: 'a' }, value: 2 }]);
    depth = 5;
    const families = parseExposition(r.render());
    expect(families.get('depth')!.samples[0]!.value).toBe(5);
    expect(families.get('broken')!.samples).toEqual([]);
    expect(families.get('replaced_total')).toMatchObject({ type: 'counter', samples: [{ labels: { pool: 'a' }, value: 2 }] });
  });

  it('refuses bad names, wrong labels, a counter going down, duplicate metrics and unordered buckets', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter('1bad', 'x')).toThrow(/invalid metric name/);
    expect(() => r.counter('ok_total', 'x', ['le'])).toThrow(/invalid label name/);
    const c = r.counter('c_total', 'x', ['a']);
    expect(() => c.inc({})).toThrow(/takes labels a/);
    expect(() => c.inc({ a: '1', b: '2' })).toThrow(/takes labels a/);
    expect(() => c.inc({ a: '1' }, -1)).toThrow(/only goes up/);
    expect(() => r.counter('c_total', 'again')).toThrow(/already registered/);
    expect(() => r.histogram('h', 'x', [1, 1])).toThrow(/increasing/);
  });

  it('the test parser itself rejects malformed expositions', () => {
    expect(() => parseExposition('x 1')).toThrow(/newline/);
    expect(() => parseExposition('x 1\n')).toThrow(/outside its family/);
    expect(() => parseExposition('# HELP x h\n# TYPE x gauge\nx{a="b} 1\n')).toThrow();
    expect(() => parseExposition('# HELP x h\n# TYPE x gauge\nx one\n')).toThrow(/bad value/);
  });
});
