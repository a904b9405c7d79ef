/**
 * Outbound delivery of audit events: the shapes shared by the engine, the record formats and the
 * services that do the I/O. One engine follows the audit log for every destination kind.
 */
import type { AuditEvent } from '../audit/event';

export const DESTINATION_KINDS = ['webhook', 'syslog', 'hec', 'ocsf'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

/** SIEM export is a licensed (PRO) feature; webhooks are community. */
export const SIEM_KINDS: readonly DestinationKind[] = ['syslog', 'hec', 'ocsf'];
export const isSiemKind = (kind: DestinationKind): boolean => SIEM_KINDS.includes(kind);

/** What the engine needs to know about one destination to take its next step. */
export interface DestinationState {
  readonly id: string;
  readonly kind: DestinationKind;
  /** the seq of the last event delivered (or skipped by the filter); 0 before the first */
  readonly cursor: number;
  /** consecutive failed attempts since the last success */
  readonly failures: number;
  /** epoch ms before which no attempt is made (backoff); null when not waiting */
  readonly nextAttemptAt: number | null;
}

/** One line of a destination's delivery log. */
export interface AttemptRecord {
  readonly destinationId: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly events: number;
  /** 1 for the first try of this batch, counting up while it keeps failing */
  readonly attempt: number;
  readonly ok: boolean;
  /** the HTTP status when the destination speaks HTTP */
  readonly httpStatus: number | null;
  readonly error: string | null;
  readonly latencyMs: number;
  /** epoch ms */
  readonly at: number;
}

/** A failed send: the message lands in the delivery log, so it must not carry secrets. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | null = null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Sends a batch to one destination; resolves when the destination accepted all of it. */
export interface Transport {
  send(events: readonly AuditEvent[]): Promise<{ readonly httpStatus?: number }>;
  close?(): Promise<void> | void;
}
