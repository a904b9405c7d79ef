/**
 * The check of a node attestation kept in a decision record (a remote run): the statement the node
 * signed (its result, or its refusal) verifies under the node's key from the trust store as it was
 * at the run (a key revoked later still vouches for what it signed before), and the record says
 * what the node signed: the same outcome, fuel and output digests. `audit verify` runs it over every
 * `run.decided` event; `replay` runs it before re-executing. Pure.
 */
import { verifyEd25519 } from '../crypto/ed25519';
import { err, ok, type Result } from '../result';
import { canonicalPayload } from '../audit/canonical-payload';
import type { TrustedKey } from '../module/types';
import { keyValidAt } from '../module/signers';
import { RESULT_FORMAT, verifyAttestation, type ResultStatement } from '../sandbox/remote/protocol';
import type { DecisionRecord } from '../guardian/decision-record';

export type AttestationCheck = 'verified' | 'none';

/** Equal as JSON values whatever the key order (a record read through its schema lists keys in the schema's order). */
const same = (a: unknown, b: unknown) => {
  const x = canonicalPayload(a);
  const y = canonicalPayload(b);
  return x.ok && y.ok && x.value === y.value;
};

export function checkRecordAttestation(
  record: Pick<DecisionRecord, 'startedAt' | 'backend' | 'execution'>,
  lookupKey: (keyid: string) => TrustedKey | undefined,
): Result<AttestationCheck, 'ATTESTATION_INVALID'> {
  const att = record.backend?.attestation;
  if (att === undefined) return ok('none');
  if (typeof att !== 'object' || att === null || typeof att.nodeKeyid !== 'string') return err('ATTESTATION_INVALID', 'the node attestation is malformed');
  const key = lookupKey(att.nodeKeyid);
  const who = `node ${att.nodeKeyid.slice(0, 16)}`;
  if (!key || key.role !== 'node') return err('ATTESTATION_INVALID', `${who} is not a node key in the trust store`);
  const at = new Date(record.startedAt);
  if (Number.isNaN(at.getTime()) || !keyValidAt(key, at)) return err('ATTESTATION_INVALID', `${who} was revoked before the run`);
  const signature = verifyAttestation(att, key.publicKey, verifyEd25519);
  if (!signature.ok) return signature;
  const s = att.statement as unknown as ResultStatement;
  if (s.format === RESULT_FORMAT) {
    const ex = record.execution;
    if (!ex) return err('ATTESTATION_INVALID', `the record says nothing ran, but ${who} signed a result`);
    const differs = [
      !same(ex.outcome, s.outcome) && 'outcome',
      ex.used.fuel !== s.fuelUsed && 'fuel',
      ex.stdoutSha256 !== s.stdoutSha256 && 'stdout digest',
      ex.stderrSha256 !== s.stderrSha256 && 'stderr digest',
    ].filter(Boolean);
    if (differs.length > 0) return err('ATTESTATION_INVALID', `the record's ${differs.join(', ')} differ from what ${who} signed`);
  }
  return ok('verified');
}
