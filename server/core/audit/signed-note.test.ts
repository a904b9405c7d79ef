/** Signed notes and checkpoint bodies: interop with a published key, strict parsing, forged signatures. */
import { describe, it, expect } from 'vitest';
import { formatVerifierKey, keyHash, openNote, parseNote, parseVerifierKey, signNote, signatureLine, ALG_ED25519 } from './signed-note';
import { formatCheckpointBody, parseCheckpointBody } from './tlog-checkpoint';
import { openCheckpoint, signTreeHead } from './checkpoint-note';
import { testEd25519Key } from './test-support';
import { verifyEd25519 } from '../crypto/ed25519';

const root = new Uint8Array(32).fill(7);

describe('verifier keys', () => {
  it("accept Go's published sum.golang.org key (an independent check of the key-hash algorithm)", () => {
    const parsed = parseVerifierKey('sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8');
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(formatVerifierKey(parsed.value)).toBe('sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8');
  });

  it('refuse a wrong key hash, another algorithm, a bad name or shape', () => {
    expect(parseVerifierKey('sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8')).toMatchObject({ ok: false, code: 'VERIFIER_KEY_MALFORMED' });
    expect(parseVerifierKey('other.name+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8').ok).toBe(false);
    const k = testEd25519Key();
    const alg4 = `x+${Buffer.from(keyHash('x', 4, k.publicKey)).toString('hex')}+${Buffer.from([4, ...k.publicKey]).toString('base64')}`;
    expect(parseVerifierKey(alg4).ok).toBe(false);
    expect(parseVerifierKey('no-plus-signs').ok).toBe(false);
    expect(parseVerifierKey(`has space+00000000+${Buffer.from([1, ...k.publicKey]).toString('base64')}`).ok).toBe(false);
  });
});

describe('signed notes', () => {
  const k = testEd25519Key();
  const key = { name: 'example.com/log', publicKey: k.publicKey };

  it('round-trip: sign, parse and open; other keys are ignored, our bad signature is refused', () => {
    const note = signNote('hello\nworld\n', key, k.sign);
    expect(note.startsWith('hello\nworld\n\n\u2014 example.com/log ')).toBe(true);
    expect(openNote(note, key, verifyEd25519)).toEqual({ ok: true, value: 'hello\nworld\n' });
    const other = testEd25519Key();
    const cosigned = note + signatureLine('witness', keyHash('witness', ALG_ED25519, other.publicKey), other.sign(new TextEncoder().encode('hello\nworld\n')));
    expect(openNote(cosigned, key, verifyEd25519).ok).toBe(true);
    expect(openNote(note, { ...key, publicKey: other.publicKey }, verifyEd25519)).toMatchObject({ ok: false, code: 'NOTE_UNSIGNED' });
    // the same name and key hash with another signature: refused, not skipped
    const forged = `hello\nworld\n\n${signatureLine(key.name, keyHash(key.name, ALG_ED25519, k.publicKey), other.sign(new TextEncoder().encode('hello\nworld\n')))}`;
    expect(openNote(forged, key, verifyEd25519)).toMatchObject({ ok: false, code: 'NOTE_SIGNATURE_INVALID' });
    // the text changed after signing
    expect(openNote(note.replace('world', 'World'), key, verifyEd25519)).toMatchObject({ ok: false, code: 'NOTE_SIGNATURE_INVALID' });
  });

  it('parsing is strict', () => {
    const note = signNote('a\n', key, k.sign);
    for (const [i, broken] of ['a\n', note.slice(0, -1), note.replace('\u2014', '-'), note.replace('a\n', 'a\r\n'), `a\u0000\n\n${note.split('\n\n')[1]}`, note + 'trailing', note.replace(/=*\n$/, '\n')].entries()) {
      expect([i, parseNote(broken).ok]).toEqual([i, false]);
    }
    expect(parseNote('x'.repeat(70_000) + '\n\n' + note.split('\n\n')[1])).toMatchObject({ ok: false, code: 'NOTE_MALFORMED' });
    expect(() => signNote('no newline', key, k.sign)).toThrow(TypeError);
  });
});

describe('checkpoint bodies and notes', () => {
  it('format and parse origin, size and root; refuse extensions, leading zeros, padding', () => {
    const body = formatCheckpointBody({ origin: 'nightcore/audit/abc', size: 42, root });
    expect(body).toBe(`nightcore/audit/abc\n42\n${Buffer.from(root).toString('base64')}\n`);
    expect(parseCheckpointBody(body)).toEqual({ ok: true, value: { origin: 'nightcore/audit/abc', size: 42, root } });
    const rootLine = Buffer.from(root).toString('base64');
    for (const bad of [`o\n042\n${rootLine}\n`, `o\n42\n${rootLine}\nextension\n`, ` o\n42\n${rootLine}\n`, `o\n42\n${rootLine}`, `o\n-1\n${rootLine}\n`, `o\n42\nAAAA\n`, `o\n99999999999999999\n${rootLine}\n`]) {
      expect(parseCheckpointBody(bad).ok).toBe(false);
    }
  });

  it('a checkpoint opens only with the key named by its origin', () => {
    const k = testEd25519Key();
    const note = signTreeHead({ origin: 'log.example/a', size: 3, root }, k);
    expect(openCheckpoint(note, { name: 'log.example/a', publicKey: k.publicKey }, verifyEd25519)).toMatchObject({ ok: true, value: { size: 3 } });
    expect(openCheckpoint(note, { name: 'log.example/b', publicKey: k.publicKey }, verifyEd25519)).toMatchObject({ ok: false, code: 'ORIGIN_MISMATCH' });
    const impostor = testEd25519Key();
    const forged = signTreeHead({ origin: 'log.example/a', size: 3, root: new Uint8Array(32) }, impostor);
    expect(openCheckpoint(forged, { name: 'log.example/a', publicKey: k.publicKey }, verifyEd25519)).toMatchObject({ ok: false, code: 'NOTE_UNSIGNED' });
  });
});
