/**
 * Outbound delivery, wired: destinations in SQLite (store.ts), the engine from the core, one
 * transport per destination, and a background loop for long-running hosts (the console). The CLI
 * opens it without the loop, so a CLI command never competes with the console for a destination
 * (and if two processes ever do, the cursor's compare-and-set keeps delivery in order).
 */
import type Database from 'better-sqlite3';
import { err, ok, type Result } from '../../core/result';
import type { AuditEvent } from '../../core/audit/event';
import { deliverStep, deliveryLagOf, type DeliveryPorts, type StepOutcome } from '../../core/delivery/engine';
import { eventFilter } from '../../core/delivery/event-filter';
import { newWebhookSecret } from '../../core/delivery/webhook';
import { DEFAULT_BACKOFF, type BackoffOptions } from '../../core/delivery/backoff';
import { isSiemKind, type DestinationKind, type Transport } from '../../core/delivery/types';
import type { AuditLog } from '../audit-log';
import { DeliveryStore, type AttemptRow, type CreateInput, type Destination, type StoreCode } from './store';
import { BATCH_SIZE, createTransport } from './transports';

/**
 * The licensing hook: SIEM export is a PRO feature (see docs/delivery.md). The services pass the
 * license's `require('siem_export')`; LICENSE_REQUIRED names the feature and the edition.
 */
export type SiemGate = () => Result<void, 'LICENSE_REQUIRED'>;
/** For tests and benches that open the delivery service without a license service. */
export const NO_LICENSE_CHECK: SiemGate = () => ok(undefined);

export const DELIVERY_TICK_MS = 1_000;
/** steps one destination may take per tick before the others get their turn */
const STEPS_PER_TURN = 50;

export type DeliveryCode = StoreCode | 'LICENSE_REQUIRED';

export interface DestinationStatus {
  readonly id: string;
  readonly name: string;
  readonly kind: DestinationKind;
  readonly target: string;
  /** disabled, backing off after failures, delivering (behind) or caught up */
  readonly state: 'disabled' | 'unlicensed' | 'failing' | 'behind' | 'caught_up';
  readonly enabled: boolean;
  readonly cursor: number;
  readonly headSeq: number;
  readonly lagEvents: number;
  readonly lagSeconds: number;
  readonly failures: number;
  readonly nextAttemptAt: number | null;
  readonly lastSuccessAt: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly events: readonly string[] | null;
}

export interface DeliveryOptions {
  readonly siemGate?: SiemGate;
  readonly backoff?: BackoffOptions;
  readonly timeoutMs?: number;
  /** the host name records carry (default os.hostname()) */
  readonly host?: string;
  readonly random?: () => number;
}

export class DeliveryService {
  readonly store: DeliveryStore;
  private readonly siemGate: SiemGate;
  private readonly transports = new Map<string, { updatedAt: number; transport: Transport }>();
  private readonly busy = new Map<string, Promise<void>>();
  private readonly eventsAfter;
  private stopped = false;

  constructor(
    sqlite: Database.Database,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
    private readonly options: DeliveryOptions = {},
  ) {
    this.store = new DeliveryStore(sqlite, audit, now);
    this.siemGate = options.siemGate ?? NO_LICENSE_CHECK;
    this.eventsAfter = sqlite
      .prepare<[number, number], AuditEvent>('SELECT seq, time, actor, action, subject, payload, prev_hash AS prevHash, hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?');
  }

  /** Creates a destination. A webhook gets a fresh secret, returned here once and never again. */
  create(input: Omit<CreateInput, 'secret'> & { token?: string }, actor: string): Result<{ destination: Destination; secret?: string }, DeliveryCode> {
    if (isSiemKind(input.kind)) {
      const allowed = this.siemGate();
      if (!allowed.ok) return allowed;
    }
    if (input.kind === 'hec' && !input.token) return err('INVALID_DESTINATION', 'an HTTP event sink needs its collector token');
    const secret = input.kind === 'webhook' ? newWebhookSecret() : input.kind === 'hec' ? input.token : undefined;
    const created = this.store.create({ ...input, secret }, actor);
    if (!created.ok) return created;
    return ok(input.kind === 'webhook' ? { destination: created.value, secret } : { destination: created.value });
  }

  update(ref: string, config: unknown, actor: string): Result<Destination, DeliveryCode> {
    const current = this.store.get(ref);
    if (current && isSiemKind(current.kind)) {
      const allowed = this.siemGate();
      if (!allowed.ok) return allowed;
    }
    return this.store.update(ref, config, actor);
  }

  setEnabled(ref: string, enabled: boolean, actor: string): Result<Destination, DeliveryCode> {
    const current = this.store.get(ref);
    if (enabled && current && isSiemKind(current.kind)) {
      const allowed = this.siemGate();
      if (!allowed.ok) return allowed;
    }
    return this.store.setEnabled(ref, enabled, actor);
  }

  list(kind?: 'webhook' | 'siem'): Destination[] {
    const all = this.store.list();
    if (kind === undefined) return all;
    return all.filter((d) => (kind === 'webhook' ? d.kind === 'webhook' : isSiemKind(d.kind)));
  }

  attempts(ref: string, limit?: number, before?: number): Result<AttemptRow[], 'NOT_FOUND'> {
    const d = this.store.get(ref);
    if (!d) return err('NOT_FOUND', `no destination "${ref}"`);
    return ok(this.store.attempts(d.id, limit, before));
  }

  status(): DestinationStatus[] {
    const head = this.audit.head().seq;
    const nowMs = this.now().getTime();
    const licensed = this.siemGate().ok;
    return this.store.list().map((d) => {
      const lag = deliveryLagOf({ cursor: d.cursor, headSeq: head, oldestPendingTime: d.cursor < head ? this.audit.event(d.cursor + 1)?.time : undefined, nowMs });
      const state = !d.enabled ? 'disabled' : isSiemKind(d.kind) && !licensed ? 'unlicensed' : d.failures > 0 ? 'failing' : lag.events > 0 ? 'behind' : 'caught_up';
      return {
        id: d.id, name: d.name, kind: d.kind, target: d.target, state, enabled: d.enabled, cursor: d.cursor, headSeq: head,
        lagEvents: lag.events, lagSeconds: lag.seconds, failures: d.failures, nextAttemptAt: d.nextAttemptAt,
        lastSuccessAt: d.lastSuccessAt, lastError: d.lastError, lastErrorAt: d.lastErrorAt,
        events: d.spec.kind === 'webhook' ? d.spec.config.events : null,
      };
    });
  }

  /**
   * One turn for every enabled destination (each runs until it is caught up, waiting, failing or
   * has taken its share of steps). A destination already mid-turn is not started twice.
   */
  async tick(): Promise<void> {
    const licensed = this.siemGate().ok;
    const turns = this.store
      .list()
      .filter((d) => d.enabled && (licensed || !isSiemKind(d.kind)))
      .map((d) => {
        const running = this.busy.get(d.id);
        if (running) return running;
        const turn = this.turn(d.id).finally(() => this.busy.delete(d.id));
        this.busy.set(d.id, turn);
        return turn;
      });
    await Promise.all(turns);
  }

  /** Delivers until every enabled destination is caught up or waiting (tests, `nightcore sinks flush`). */
  async drain(maxTicks = 1_000): Promise<void> {
    for (let i = 0; i < maxTicks; i++) {
      await this.tick();
      const pending = this.status().filter((s) => s.state === 'behind');
      if (pending.length === 0) return;
    }
  }

  /** The background loop: a tick every `everyMs`, never two at once; unref'd. */
  start(everyMs: number = DELIVERY_TICK_MS): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running || this.stopped) return;
      running = true;
      this.tick()
        .catch(() => undefined) // a locked database: the next tick tries again; failures of sends are logged per attempt
        .finally(() => (running = false));
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  async close(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.busy.values()]);
    for (const { transport } of this.transports.values()) await transport.close?.();
    this.transports.clear();
  }

  private async turn(id: string): Promise<void> {
    for (let step = 0; step < STEPS_PER_TURN && !this.stopped; step++) {
      const d = this.store.get(id);
      if (!d || !d.enabled) return;
      const outcome = await this.step(d);
      if (outcome.kind !== 'delivered' && outcome.kind !== 'skipped') return;
    }
  }

  private step(d: Destination): Promise<StepOutcome> {
    const ports: DeliveryPorts = {
      events: (after, limit) => this.eventsAfter.all(after, limit),
      advance: (id, from, to, attempt) => this.store.advance(id, from, to, attempt),
      failed: (id, failures, next, attempt) => this.store.failed(id, failures, next, attempt),
      now: () => this.now().getTime(),
      random: this.options.random,
    };
    return deliverStep(d, this.transportOf(d), ports, {
      batchSize: BATCH_SIZE[d.kind],
      accepts: d.spec.kind === 'webhook' ? eventFilter(d.spec.config.events) : undefined,
      backoff: this.options.backoff ?? DEFAULT_BACKOFF,
    });
  }

  /** One transport per destination, rebuilt when its configuration changed. */
  private transportOf(d: Destination): Transport {
    const cached = this.transports.get(d.id);
    if (cached && cached.updatedAt === d.updatedAt) return cached.transport;
    void cached?.transport.close?.();
    const transport = createTransport(d.spec, { name: d.name, secret: this.store.secretOf(d.id), host: this.options.host, timeoutMs: this.options.timeoutMs });
    this.transports.set(d.id, { updatedAt: d.updatedAt, transport });
    return transport;
  }
}

/** Per-destination lag for a metrics endpoint: a plain read, no I/O beyond SQLite. */
export function deliveryLag(services: { readonly delivery: DeliveryService }): { name: string; kind: DestinationKind; state: DestinationStatus['state']; events: number; seconds: number }[] {
  return services.delivery.status().map((s) => ({ name: s.name, kind: s.kind, state: s.state, events: s.lagEvents, seconds: s.lagSeconds }));
}
