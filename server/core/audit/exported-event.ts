/**
 * An audit event as it leaves Night Core: one line of `audit export --format jsonl`, and the `event`
 * of an inclusion proof bundle. The payload is the event's JSON value (in the database it is its
 * canonical text). `action` is any string on purpose: readers accept every published version, and
 * an export made by a later release may name actions this one does not know; the hash decides.
 */
import { z } from 'zod';

export const EXPORTED_EVENT_FORMAT = 'nightcore.audit-event/v1';

const HEX64 = /^[0-9a-f]{64}$/;

/** Not strict: fields beyond these are not covered by the hash, and readers ignore them (as before this schema). */
export const ZExportedEventSchema = z.object({
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  time: z.string(),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  payload: z.unknown().refine((v) => v !== undefined, 'must be present (any JSON value)'),
  prevHash: z.string().regex(HEX64),
  hash: z.string().regex(HEX64),
});
export type TExportedEvent = z.infer<typeof ZExportedEventSchema>;
