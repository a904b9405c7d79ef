import { describe, it, expect } from 'vitest';
import { MANIFEST_PAYLOAD_TYPE, parseEnvelope, preAuthEncoding, serializeEnvelope } from './dsse';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const sig = Buffer.alloc(64, 7).toString('base64');
const keyid = 'ab'.repeat(32);

describe('preAuthEncoding', () => {
  it('matches the example in the DSSE specification', () => {
    const pae = preAuthEncoding('http://example.com/HelloWorld', new TextEncoder().encode('hello world'));
    expect(text(pae)).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('counts bytes, not characters, for non-ASCII payloads', () => {
    const pae = preAuthEncoding(MANIFEST_PAYLOAD_TYPE, new TextEncoder().encode('é'));
    expect(text(pae)).toBe(`DSSEv1 ${MANIFEST_PAYLOAD_TYPE.length} ${MANIFEST_PAYLOAD_TYPE} 2 é`);
  });
});

describe('parseEnvelope', () => {
  const good = { payloadType: MANIFEST_PAYLOAD_TYPE as typeof MANIFEST_PAYLOAD_TYPE, payload: Buffer.from('{}').toString('base64'), signatures: [{ keyid, sig }] };

  it('decodes payload and signatures once', () => {
    const parsed = parseEnvelope(serializeEnvelope(good));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(text(parsed.value.payload)).toBe('{}');
    expect(parsed.value.signatures[0]!.sig).toHaveLength(64);
  });

  it('rejects an empty text as unsigned and a non-JSON text', () => {
    const empty = parseEnvelope('  \n');
    expect(!empty.ok && empty.message).toMatch(/not signed/);
    const junk = parseEnvelope('{');
    expect(!junk.ok && junk.message).toMatch(/not JSON/);
  });

  it('reports every bad field at once', () => {
    const parsed = parseEnvelope(JSON.stringify({ payloadType: 'x', payload: 'a b', signatures: [{ keyid: 'KEY', sig: 'AAAA' }], extra: 1 }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.code).toBe('ENVELOPE_INVALID');
    const fields = (parsed.issues ?? []).map((i) => i.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['payloadType', 'payload', 'signatures.0.keyid', 'signatures.0.sig', '(root)']));
  });

  it('refuses an envelope with no signatures or the same keyid twice', () => {
    const none = parseEnvelope(JSON.stringify({ ...good, signatures: [] }));
    expect(!none.ok && none.issues).toEqual(['signatures: must hold at least one signature']);
    const twice = parseEnvelope(JSON.stringify({ ...good, signatures: [{ keyid, sig }, { keyid, sig }] }));
    expect(!twice.ok && twice.issues).toEqual(['signatures: must not hold two signatures by the same keyid']);
  });
});
