import { describe, expect, it } from 'vitest';
import { generateKeyPair, signEd25519 } from './ed25519';
import { encodeBase64 } from './keys';
import { openSignedJson, signedJsonBytes } from './signed-json';

const TYPE = 'application/vnd.nightcore.test.v1+json';
function signed(text: string, type = TYPE) {
  const pair = generateKeyPair();
  return { pair, doc: { payload: encodeBase64(new TextEncoder().encode(text)), sig: encodeBase64(signEd25519(pair.seed, signedJsonBytes(type, text))) } };
}

describe('openSignedJson', () => {
  it('opens a document signed for its payload type, returning the exact signed text', () => {
    const { pair, doc } = signed('{"a":1}');
    const opened = openSignedJson(doc, TYPE, pair.publicKey);
    expect(opened.ok && opened.value).toEqual({ text: '{"a":1}', value: { a: 1 } });
  });

  it('refuses a signature made for another payload type, another key, or other bytes', () => {
    const { pair, doc } = signed('{"a":1}', 'application/vnd.nightcore.other.v1+json');
    expect(openSignedJson(doc, TYPE, pair.publicKey)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    const good = signed('{"a":1}');
    expect(openSignedJson(good.doc, TYPE, generateKeyPair().publicKey)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    const edited = { ...good.doc, payload: encodeBase64(new TextEncoder().encode('{"a":2}')) };
    expect(openSignedJson(edited, TYPE, good.pair.publicKey)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
  });

  it('refuses non-canonical base64 before checking anything, and signed bytes that are not UTF-8 JSON', () => {
    const { pair, doc } = signed('{"a":1}');
    expect(openSignedJson({ ...doc, sig: `${doc.sig}\n` }, TYPE, pair.publicKey)).toMatchObject({ ok: false, code: 'NOT_BASE64' });
    const notJson = signed('not json');
    expect(openSignedJson(notJson.doc, TYPE, notJson.pair.publicKey)).toMatchObject({ ok: false, code: 'NOT_JSON' });
  });
});
