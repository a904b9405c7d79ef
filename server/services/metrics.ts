/**
 * The console's Prometheus metrics (issue 13): what an operator watches. Counters and histograms
 * are updated where things happen (the governor wrapper below, the audit log's append hook);
 * gauges are read from the services at scrape time, so a scrape never writes anything.
 * Served at /metrics behind NIGHTCORE_METRICS_TOKEN (server/api/metrics-http.ts).
 */
import { performance } from 'node:perf_hooks';
import { MetricsRegistry, type Counter, type Histogram, type Labels } from '../core/metrics/exposition';
import type { Governor } from '../core/run';
import type { BackendStats } from '../core/sandbox';
import type { AuditLog } from './audit-log';
import type { WitnessPusher } from './witness-client';

/** Seconds; runs range from a millisecond (a denial before executing) to the wall-clock limit. */
const RUN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds; an append is a SQLite transaction, sometimes with a signed checkpoint or an fsync. */
const APPEND_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export interface SinkLag {
  /** audit events the sink has not delivered yet */
  readonly events: number;
  /** age of the oldest undelivered event, in seconds (0 when caught up) */
  readonly seconds?: number;
}

export interface MetricsSources {
  readonly audit: AuditLog;
  readonly witnesses: WitnessPusher;
  readonly governor: () => Governor | undefined;
  /** The backend's stats only when it has started: a scrape never starts workers. */
  readonly backendStats: () => BackendStats | undefined;
}

export class NightcoreMetrics {
  readonly registry = new MetricsRegistry();
  readonly runs: Counter;
  readonly refusals: Counter;
  readonly runSeconds: Histogram;
  readonly auditAppendSeconds: Histogram;
  private readonly sinks = new Map<string, () => readonly (SinkLag & { readonly sink: string })[]>();

  constructor() {
    const r = this.registry;
    this.runs = r.counter('nightcore_runs_total', 'Governed runs decided, by decision (allow, deny) and outcome (ok, trap, ..., not_run when denied before executing).', ['decision', 'outcome']);
    this.refusals = r.counter('nightcore_run_refusals_total', 'Runs refused at admission before any work: BUSY (queue full) or RATE_LIMITED (the user has their share waiting).', ['code']);
    this.runSeconds = r.histogram('nightcore_run_duration_seconds', 'Governed run latency, from the request to the recorded decision.', RUN_BUCKETS);
    this.auditAppendSeconds = r.histogram('nightcore_audit_append_duration_seconds', 'Audit log append latency (one write transaction, checkpoints included).', APPEND_BUCKETS);
  }

  /**
   * The registration point for audit sinks (webhooks, SIEM, files): a source returns the lag of each
   * of its sinks. Registering a source under the same name again replaces it.
   */
  registerSinkLag(source: string, read: () => readonly (SinkLag & { readonly sink: string })[]): void {
    this.sinks.set(source, read);
  }

  /** Adds the gauges read from the services at scrape time. Called once, where the services are opened. */
  attach(s: MetricsSources): void {
    const r = this.registry;
    const one = (value: number | undefined, labels?: Labels) => (value === undefined ? [] : [{ labels, value }]);
    r.gauge('nightcore_sandbox_queue_depth', 'Runs admitted and waiting for a sandbox slot.', () => one(s.governor()?.stats().waiting));
    r.gauge('nightcore_sandbox_running', 'Runs executing now.', () => one(s.governor()?.stats().running));
    r.gauge('nightcore_sandbox_capacity', 'Runs the sandbox backend executes at once (absent until it starts).', () => one(s.backendStats()?.capacity));
    r.sampled('nightcore_sandbox_worker_replacements_total', 'Sandbox executors replaced after a timeout, crash or kill (absent until the backend starts).', 'counter', () =>
      one(s.backendStats()?.detail.replaced),
    );
    r.sampled('nightcore_sandbox_timeouts_total', 'Runs ended by the wall-clock limit (absent until the backend starts).', 'counter', () => one(s.backendStats()?.timeouts));
    r.gauge('nightcore_audit_head_seq', 'Sequence number of the newest audit event.', () => one(s.audit.head().seq));
    r.gauge('nightcore_audit_events_since_checkpoint', 'Audit events after the newest signed checkpoint (not yet protected against a rewrite).', () => {
      const head = s.audit.head().seq;
      return one(head - (s.audit.latestCheckpoint()?.seq ?? 0));
    });
    r.gauge('nightcore_witness_lag_events', 'Audit events between the newest checkpoint and the newest one each witness cosigned.', () => {
      const latest = s.audit.latestCheckpoint()?.seq ?? 0;
      return s.witnesses.witnesses.map((w) => ({ labels: { witness: w.key.name }, value: latest - (s.witnesses.newestCosigned(w.key.name)?.seq ?? 0) }));
    });
    r.gauge('nightcore_sink_lag_events', 'Audit events each sink has not delivered yet.', () => this.sinkSamples().map((x) => ({ labels: { sink: x.sink }, value: x.events })));
    r.gauge('nightcore_sink_lag_seconds', 'Age of the oldest audit event each sink has not delivered yet.', () =>
      this.sinkSamples().filter((x) => x.seconds !== undefined).map((x) => ({ labels: { sink: x.sink }, value: x.seconds! })),
    );
  }

  private sinkSamples(): (SinkLag & { sink: string })[] {
    const out: (SinkLag & { sink: string })[] = [];
    for (const read of this.sinks.values()) {
      try {
        out.push(...read());
      } catch {
        // one broken source must not hide the others
      }
    }
    return out;
  }

  /** Wraps the governor so every run is counted and timed; refusals at admission are counted by code. */
  instrument(governor: Governor): Governor {
    const observe = async (start: number, result: Awaited<ReturnType<Governor['run']>>) => {
      if (result.ok) {
        const record = result.value.record;
        this.runs.inc({ decision: record.decision, outcome: record.execution?.outcome.kind ?? 'not_run' });
        this.runSeconds.observe((performance.now() - start) / 1000);
      } else if (result.code === 'BUSY' || result.code === 'RATE_LIMITED') {
        this.refusals.inc({ code: result.code });
      }
      return result;
    };
    return {
      ...governor,
      run: async (module, input, actor) => observe(performance.now(), await governor.run(module, input, actor)),
      assess: (module, actor) => governor.assess(module, actor),
      replay: (runId, actor) => governor.replay(runId, actor),
      killAll: (reason) => governor.killAll(reason),
      stats: () => governor.stats(),
    };
  }

  render(): string {
    return this.registry.render();
  }
}
