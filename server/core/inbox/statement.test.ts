import { describe, it, expect } from 'vitest';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { generateKeyPair, signEd25519 } from '../crypto/ed25519';
import { encodeBase64, keyIdOf } from '../crypto/keys';
import { preAuthEncoding, MANIFEST_PAYLOAD_TYPE } from '../module/dsse';
import { canonicalStatement, openStatement, signStatement, signingBytes } from './statement';
import { statementFor } from './test-support';

ed.hashes.sha512 = sha512;

const keys = () => {
  const { seed, publicKey } = generateKeyPair();
  return { seed, publicKey, keyid: keyIdOf(publicKey) };
};
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('approval statement', () => {
  it('signs and opens a statement, returning exactly what was signed', () => {
    const k = keys();
    const signed = signStatement(statementFor(), k.seed, k.keyid);
    expect(signed.ok).toBe(true);
    if (!signed.ok) return;
    const opened = openStatement(signed.value, k.publicKey);
    expect(opened.ok && opened.value.statement).toEqual(statementFor());
  });

  it('verifies a statement signed in the browser with @noble/ed25519 over the same bytes', async () => {
    const k = keys();
    const canonical = canonicalStatement(statementFor());
    if (!canonical.ok) throw new Error(canonical.message);
    const sig = await ed.signAsync(signingBytes(canonical.value), k.seed);
    const opened = openStatement({ payload: b64(canonical.value), keyid: k.keyid, sig: encodeBase64(sig) }, k.publicKey);
    expect(opened.ok).toBe(true);
  });

  it('binds the kind of decision to the kind of subject: release only for quarantine, approve/reject only for submissions', () => {
    expect(canonicalStatement(statementFor({ decision: 'release' }))).toMatchObject({ ok: false, code: 'STATEMENT_INVALID', issues: [expect.stringMatching(/^decision: a submission is decided with/)] });
    const q = { subject: 'quarantine:12' };
    expect(canonicalStatement(statementFor({ ...q, decision: 'approve' }))).toMatchObject({ ok: false, issues: [expect.stringMatching(/^decision: a quarantine entry is decided with "release"/)] });
    expect(canonicalStatement(statementFor({ ...q, decision: 'reject' })).ok).toBe(false);
    expect(canonicalStatement(statementFor({ ...q, decision: 'release' })).ok).toBe(true);
  });

  it('names every bad field of a statement', () => {
    const bad = canonicalStatement({ ...statementFor(), wasmSha256: 'xyz', decision: 'maybe', time: '2026-02-30T00:00:00.000Z', extra: 1 });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const text = bad.issues!.join('\n');
    for (const field of ['wasmSha256', 'decision', 'time', 'extra']) expect(text).toContain(field);
  });

  it('refuses a signature by another key than the one named', () => {
    const signer = keys();
    const claimed = keys();
    const signed = signStatement(statementFor(), signer.seed, claimed.keyid);
    if (!signed.ok) throw new Error(signed.message);
    expect(openStatement(signed.value, claimed.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('refuses a statement whose payload was edited after signing (reject turned into approve)', () => {
    const k = keys();
    const signed = signStatement(statementFor({ decision: 'reject' }), k.seed, k.keyid);
    if (!signed.ok) throw new Error(signed.message);
    const edited = canonicalStatement(statementFor({ decision: 'approve' }));
    if (!edited.ok) throw new Error(edited.message);
    expect(openStatement({ ...signed.value, payload: b64(edited.value) }, k.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('refuses a flipped signature bit', () => {
    const k = keys();
    const signed = signStatement(statementFor(), k.seed, k.keyid);
    if (!signed.ok) throw new Error(signed.message);
    const sig = Buffer.from(signed.value.sig, 'base64');
    sig[10] = sig[10]! ^ 1;
    expect(openStatement({ ...signed.value, sig: sig.toString('base64') }, k.publicKey)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('does not accept a manifest signature (another payload type) as an approval', () => {
    const k = keys();
    const canonical = canonicalStatement(statementFor());
    if (!canonical.ok) throw new Error(canonical.message);
    const bytes = new TextEncoder().encode(canonical.value);
    const sig = signEd25519(k.seed, preAuthEncoding(MANIFEST_PAYLOAD_TYPE, bytes));
    expect(openStatement({ payload: b64(canonical.value), keyid: k.keyid, sig: encodeBase64(sig) }, k.publicKey)).toMatchObject({
      ok: false,
      code: 'SIGNATURE_INVALID',
    });
  });

  it('refuses a correctly signed payload that is not canonical (one approval, one text)', () => {
    const k = keys();
    const text = JSON.stringify(statementFor(), null, 1);
    const sig = signEd25519(k.seed, signingBytes(text));
    expect(openStatement({ payload: b64(text), keyid: k.keyid, sig: encodeBase64(sig) }, k.publicKey)).toMatchObject({
      ok: false,
      code: 'STATEMENT_INVALID',
    });
  });

  it('refuses non-canonical base64 and malformed envelopes without throwing', () => {
    const k = keys();
    const signed = signStatement(statementFor(), k.seed, k.keyid);
    if (!signed.ok) throw new Error(signed.message);
    expect(openStatement({ ...signed.value, payload: `${signed.value.payload}\n` }, k.publicKey).ok).toBe(false);
    expect(openStatement({ ...signed.value, keyid: 42 } as never, k.publicKey)).toMatchObject({ ok: false, code: 'STATEMENT_INVALID' });
    expect(openStatement({ payload: 'x'.repeat(9000), keyid: k.keyid, sig: 'AA==' }, k.publicKey).ok).toBe(false);
  });

  it('refuses a signed payload that is not UTF-8', () => {
    const k = keys();
    const bytes = new Uint8Array([0x7b, 0xff, 0x7d]);
    const sig = signEd25519(k.seed, preAuthEncoding('application/vnd.nightcore.approval.v1+json', bytes));
    expect(openStatement({ payload: encodeBase64(bytes), keyid: k.keyid, sig: encodeBase64(sig) }, k.publicKey)).toMatchObject({
      ok: false,
      code: 'STATEMENT_INVALID',
    });
  });
});
