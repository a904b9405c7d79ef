/**
 * The node attestation check of a decision record (what `audit verify` and `replay` run): a real
 * node signature over a result statement, checked against trust-store keys as of the run.
 */
import { describe, it, expect } from 'vitest';
import { generateKeyPair, signEd25519 } from '../crypto/ed25519';
import { keyIdOf } from '../crypto/keys';
import { sha256Hex } from '../crypto/digest';
import type { TrustedKey } from '../module/types';
import { RESULT_FORMAT, resultSigningBytes, signResult, type ResultStatement } from '../sandbox/remote/protocol';
import { checkRecordAttestation } from './attestation';

const node = generateKeyPair();
const nodeKeyid = keyIdOf(node.publicKey);
const empty = sha256Hex(new Uint8Array(0));
const statement: ResultStatement = {
  format: RESULT_FORMAT,
  jobId: 'job-1',
  jobSha256: 'a'.repeat(64),
  nodeKeyid,
  executedBy: 'process',
  outcome: { kind: 'ok', exitCode: 0 },
  fuelUsed: 42,
  peakMemoryPages: 1,
  wallMs: 3,
  outputTruncated: false,
  stdoutSha256: empty,
  stderrSha256: empty,
  capabilityDenials: [],
};
const signed = signResult(statement, (m) => signEd25519(node.seed, m), new Uint8Array(0), new Uint8Array(0));
const attestation = { nodeKeyid, resultSha256: sha256Hex(resultSigningBytes(statement)), signature: signed.signature, statement };
const record = {
  startedAt: '2026-12-02T10:00:00.000Z',
  backend: { kind: 'remote' as const, attestation },
  execution: {
    outcome: { kind: 'ok' as const, exitCode: 0 },
    used: { fuel: 42, peakMemoryPages: 1, wallMs: 5, outputBytes: 0 },
    outputTruncated: false,
    stdoutSha256: empty,
    stderrSha256: empty,
    outputSha256: 'x',
  },
};
const key = (over: Partial<TrustedKey> = {}): TrustedKey => ({ keyid: nodeKeyid, name: 'n', role: 'node', publicKey: node.publicKey, status: 'active', revokedAt: null, ...over });
const check = (rec: object, k: TrustedKey | null = key()) => {
  const r = checkRecordAttestation(rec as never, (id) => (id === nodeKeyid && k ? k : undefined));
  return r.ok ? r.value : r.message;
};

describe('node attestation in a decision record', () => {
  it('verifies an honest record, and passes a local run (no attestation) as none', () => {
    expect(check(record)).toBe('verified');
    expect(check({ ...record, backend: { kind: 'process' } })).toBe('none');
  });

  it('holds a key to the time of the run: revoked later still vouches, revoked before does not', () => {
    expect(check(record, key({ status: 'revoked', revokedAt: new Date('2026-12-03T00:00:00Z') }))).toBe('verified');
    expect(check(record, key({ status: 'revoked', revokedAt: new Date('2026-12-01T00:00:00Z') }))).toMatch(/revoked before the run/);
  });

  it('refuses an unknown key, a key of another role, a flipped signature, a swapped statement and an edited record', () => {
    expect(check(record, null)).toMatch(/not a node key/);
    expect(check(record, key({ role: 'publisher' }))).toMatch(/not a node key/);
    const sig = Buffer.from(attestation.signature, 'base64');
    sig[0] = sig[0]! ^ 0x80;
    expect(check({ ...record, backend: { kind: 'remote', attestation: { ...attestation, signature: sig.toString('base64') } } })).toMatch(/does not verify/);
    const better = { ...statement, fuelUsed: 1 };
    expect(check({ ...record, backend: { kind: 'remote', attestation: { ...attestation, statement: better } } })).toMatch(/digest does not match/);
    expect(check({ ...record, execution: { ...record.execution, outcome: { kind: 'trap', trap: 'unreachable' } } })).toMatch(/outcome differ/);
    expect(check({ ...record, execution: null })).toMatch(/nothing ran/);
    expect(check({ ...record, backend: { kind: 'remote', attestation: { ...attestation, statement: { ...statement, format: 'other/v1' } } } })).toMatch(/unknown format/);
  });
});
