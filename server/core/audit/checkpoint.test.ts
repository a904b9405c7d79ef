import { describe, it, expect } from 'vitest';
import canonicalize from 'canonicalize';
import { CHECKPOINT_TYPE, checkpointStatement, signCheckpoint, verifyCheckpointSignature } from './checkpoint';
import { nodeVerify, testEd25519Key } from './test-support';

const key = testEd25519Key();
const lookup = (id: string) => (id === key.keyid ? key.publicKey : undefined);
const head = { seq: 1000, hash: 'ab'.repeat(32) };
const time = '2025-03-04T05:06:07.089Z';

describe('checkpoints', () => {
  it('sign the canonical statement {type, seq, hash, time}', () => {
    expect(checkpointStatement({ ...head, time })).toBe(canonicalize({ type: CHECKPOINT_TYPE, seq: 1000, hash: head.hash, time }));
    const cp = signCheckpoint(head, time, key);
    expect(cp).toMatchObject({ seq: 1000, hash: head.hash, time, keyid: key.keyid });
    expect(Buffer.from(cp.signature, 'base64')).toHaveLength(64);
    expect(verifyCheckpointSignature(cp, lookup, nodeVerify)).toEqual({ ok: true, value: true });
  });

  it('refuse unknown keys, malformed signatures, altered fields and throwing verifiers', () => {
    const cp = signCheckpoint(head, time, key);
    expect(verifyCheckpointSignature(cp, () => undefined, nodeVerify)).toMatchObject({ ok: false, code: 'UNKNOWN_KEY' });
    expect(verifyCheckpointSignature({ ...cp, signature: 'AAAA' }, lookup, nodeVerify)).toMatchObject({ ok: false, code: 'MALFORMED_SIGNATURE' });
    expect(verifyCheckpointSignature({ ...cp, seq: 1001 }, lookup, nodeVerify)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(verifyCheckpointSignature({ ...cp, hash: 'cd'.repeat(32) }, lookup, nodeVerify)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    const throwing = () => {
      throw new Error('bad key');
    };
    expect(verifyCheckpointSignature(cp, lookup, throwing)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });
});
