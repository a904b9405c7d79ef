/**
 * The delivery engine: one step for one destination, over injected ports, no I/O of its own.
 *
 * A step reads the events after the destination's cursor, keeps those its filter selects, sends
 * at most one batch, and then either advances the cursor past the batch (success) or records the
 * failure and schedules the next attempt with exponential backoff and jitter. The cursor moves only
 * after the transport confirmed the batch, and only forwards, so delivery is at-least-once and in
 * seq order: a crash between sending and advancing resends the same batch, which the receiver
 * recognises by seq. Events a webhook's filter skips advance the cursor without an attempt.
 */
import type { AuditEvent } from '../audit/event';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { DeliveryError, type AttemptRecord, type DestinationState, type Transport } from './types';

export interface DeliveryPorts {
  /** events with seq > after, ascending, at most `limit` */
  readonly events: (after: number, limit: number) => readonly AuditEvent[];
  /**
   * Moves the cursor from `from` to `to` (and clears the failure count) unless another process
   * already moved it; records the attempt when there is one. Returns false when the cursor was
   * not at `from` (someone else delivered this batch).
   */
  readonly advance: (id: string, from: number, to: number, attempt: AttemptRecord | undefined) => boolean;
  /** Records a failed attempt and the backoff. */
  readonly failed: (id: string, failures: number, nextAttemptAt: number, attempt: AttemptRecord) => void;
  readonly now: () => number;
  readonly random?: () => number;
}

export interface StepOptions {
  readonly batchSize: number;
  /** events read per step when there is a filter (default 16 batches, at least 64, at most 1000) */
  readonly scanSize?: number;
  readonly accepts?: (action: string) => boolean;
  readonly backoff?: BackoffOptions;
}

export type StepOutcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'waiting'; readonly untilMs: number }
  | { readonly kind: 'skipped'; readonly cursor: number }
  | { readonly kind: 'delivered'; readonly events: number; readonly cursor: number }
  | { readonly kind: 'raced' }
  | { readonly kind: 'failed'; readonly error: string; readonly retryAt: number };

const DEFAULT_SCAN = 1_000;

export async function deliverStep(dest: DestinationState, transport: Transport, ports: DeliveryPorts, options: StepOptions): Promise<StepOutcome> {
  const start = ports.now();
  if (dest.nextAttemptAt !== null && dest.nextAttemptAt > start) return { kind: 'waiting', untilMs: dest.nextAttemptAt };
  // Without a filter every event read is sent: read exactly one batch. With one, read further ahead
  // so a run of skipped events costs few steps (but not so far that each event costs a long read).
  const limit = options.accepts ? Math.max(options.scanSize ?? Math.min(DEFAULT_SCAN, Math.max(64, options.batchSize * 16)), options.batchSize) : options.batchSize;
  const scanned = ports.events(dest.cursor, limit);
  if (scanned.length === 0) return { kind: 'idle' };
  const accepts = options.accepts ?? (() => true);
  const batch: AuditEvent[] = [];
  for (const e of scanned) {
    if (!accepts(e.action)) continue;
    batch.push(e);
    if (batch.length === options.batchSize) break;
  }
  if (batch.length === 0) {
    // Nothing here for this destination: step over the scanned events without an attempt.
    const to = scanned[scanned.length - 1]!.seq;
    return ports.advance(dest.id, dest.cursor, to, undefined) ? { kind: 'skipped', cursor: to } : { kind: 'raced' };
  }
  const firstSeq = batch[0]!.seq;
  const lastSeq = batch[batch.length - 1]!.seq;
  const attempt = dest.failures + 1;
  let httpStatus: number | null = null;
  let error: string | null = null;
  try {
    httpStatus = (await transport.send(batch)).httpStatus ?? null;
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    httpStatus = e instanceof DeliveryError ? e.httpStatus : null;
  }
  const at = ports.now();
  const record: AttemptRecord = {
    destinationId: dest.id, firstSeq, lastSeq, events: batch.length, attempt, ok: error === null, httpStatus, error, latencyMs: Math.max(0, at - start), at,
  };
  if (error === null) {
    return ports.advance(dest.id, dest.cursor, lastSeq, record) ? { kind: 'delivered', events: batch.length, cursor: lastSeq } : { kind: 'raced' };
  }
  const retryAt = at + backoffDelayMs(attempt, options.backoff ?? DEFAULT_BACKOFF, ports.random);
  ports.failed(dest.id, attempt, retryAt, record);
  return { kind: 'failed', error, retryAt };
}

export interface LagInput {
  readonly cursor: number;
  readonly headSeq: number;
  /** the time of the first event not yet delivered (seq cursor + 1), when there is one */
  readonly oldestPendingTime: string | undefined;
  readonly nowMs: number;
}

/** How far behind a destination is: in events, and in seconds since the oldest undelivered event. */
export function deliveryLagOf(input: LagInput): { events: number; seconds: number } {
  const events = Math.max(0, input.headSeq - input.cursor);
  if (events === 0 || input.oldestPendingTime === undefined) return { events, seconds: 0 };
  const since = Date.parse(input.oldestPendingTime);
  return { events, seconds: Number.isFinite(since) ? Math.max(0, Math.round((input.nowMs - since) / 1000)) : 0 };
}
