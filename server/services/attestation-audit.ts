/**
 * `audit verify` checks more than the chain: every remote run's decision record carries its node's
 * signed result (or refusal), which must verify under that node's key from the trust store as of
 * the run, and say what the record says. A record whose node signature was forged or altered then
 * fails verification at its seq, even when the chain around it was rebuilt to hash correctly.
 */
import type { AuditEvent } from '../core/audit/event';
import type { EventContentCheck } from '../core/audit/chain';
import type { TrustedKey } from '../core/module/types';
import { parseDecisionRecord } from '../core/guardian/decision-record-schema';
import { checkRecordAttestation } from '../core/run/attestation';

export function attestationCheck(lookupKey: (keyid: string) => TrustedKey | undefined): EventContentCheck {
  return (event: AuditEvent) => {
    // Most events are not remote runs: skip them without parsing.
    if (event.action !== 'run.decided' || typeof event.payload !== 'string' || !event.payload.includes('"attestation"')) return undefined;
    const record = parseDecisionRecord(event.payload);
    if (!record.ok) return record.message;
    const checked = checkRecordAttestation(record.value, lookupKey);
    return checked.ok ? undefined : checked.message;
  };
}
