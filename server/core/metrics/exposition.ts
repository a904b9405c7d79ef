/**
 * A tiny metrics registry and the Prometheus text exposition format (version 0.0.4), written by
 * hand: counters and histograms that code updates, gauges read at scrape time. No dependency, no
 * global state (the services keep one registry per process).
 */

export type Labels = Readonly<Record<string, string>>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escape backslash, double quote and newline (the format's three escapes). */
export const escapeLabelValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
/** HELP text escapes backslash and newline. */
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** Numbers as Prometheus reads them: +Inf, -Inf, NaN spelled out. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const keyOf = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  lines(): string[];
}

function checkNames(name: string, labelNames: readonly string[]): void {
  if (!NAME.test(name)) throw new RangeError(`invalid metric name "${name}"`);
  for (const l of labelNames) if (!LABEL.test(l) || l.startsWith('__') || l === 'le') throw new RangeError(`invalid label name "${l}" on ${name}`);
}

function checkLabels(name: string, labelNames: readonly string[], labels: Labels): void {
  const given = Object.keys(labels);
  if (given.length !== labelNames.length || !labelNames.every((l) => typeof labels[l] === 'string')) {
    throw new RangeError(`${name} takes labels ${labelNames.join(', ') || '(none)'}, got ${given.join(', ') || '(none)'}`);
  }
}

export class Counter implements Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string, private readonly labelNames: readonly string[] = []) {
    checkNames(name, labelNames);
  }
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new RangeError(`${this.name}: a counter only goes up`);
    checkLabels(this.name, this.labelNames, labels);
    const key = keyOf(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels: { ...labels }, value: by });
  }
  get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }
  lines(): string[] {
    return [...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${formatValue(e.value)}`);
  }
}

/**
 * A value read when scraped: the callback returns one sample per label set (none when unknown). A
 * gauge, or a counter kept elsewhere (a backend's own totals) and only read here.
 */
export class Sampled implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    private readonly read: () => readonly { labels?: Labels; value: number }[],
  ) {
    checkNames(name, []);
  }
  lines(): string[] {
    let samples: readonly { labels?: Labels; value: number }[];
    try {
      samples = this.read();
    } catch {
      return []; // a failing source leaves its gauge out of this scrape rather than failing the others
    }
    return samples.map((s) => `${this.name}${labelText(s.labels ?? {})} ${formatValue(s.value)}`);
  }
}

export class Histogram implements Metric {
  readonly type = 'histogram';
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(readonly name: string, readonly help: string, private readonly buckets: readonly number[]) {
    checkNames(name, []);
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) throw new RangeError(`${name}: buckets must be finite and increasing`);
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++;
  }
  lines(): string[] {
    const out = this.buckets.map((b, i) => `${this.name}_bucket{le="${formatValue(b)}"} ${this.counts[i]}`);
    out.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${formatValue(this.sum)}`, `${this.name}_count ${this.count}`);
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private add<M extends Metric>(m: M): M {
    if (this.metrics.has(m.name)) throw new RangeError(`metric ${m.name} is already registered`);
    this.metrics.set(m.name, m);
    return m;
  }
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }
  gauge(name: string, help: string, read: () => readonly { labels?: Labels; value: number }[]): Sampled {
    return this.add(new Sampled(name, help, 'gauge', read));
  }
  sampled(name: string, help: string, type: 'gauge' | 'counter', read: () => readonly { labels?: Labels; value: number }[]): Sampled {
    return this.add(new Sampled(name, help, type, read));
  }
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }
  /** The text exposition: HELP, TYPE and the samples of every metric, newline-terminated. */
  render(): string {
    const out: string[] = [];
    for (const m of this.metrics.values()) {
      out.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`, ...m.lines());
    }
    return `${out.join('\n')}\n`;
  }
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
