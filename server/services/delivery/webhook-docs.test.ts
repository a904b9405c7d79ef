/**
 * The verification snippet of docs/webhooks.md, run as written (in its own Node process) against
 * requests signed by the real sender: a receiver that copies it rejects tampered bodies, wrong
 * secrets and old timestamps, and accepts what the console sends.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newWebhookSecret, signWebhook, webhookBody } from '../../core/delivery/webhook';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'webhooks.md');

function snippet(): string {
  const m = /```js webhook-verify\n([\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'));
  if (!m) throw new Error('docs/webhooks.md lost its verification snippet');
  return m[1]!;
}

describe('the documented receiver', () => {
  it('accepts genuine requests and rejects tampering, wrong secrets, replays and garbage', () => {
    const secret = newWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const body = webhookBody({ seq: 3, time: '2026-12-02T10:00:00.000Z', actor: 'user:ann', action: 'module.released', subject: 'module:ü', payload: '{"why":"ok"}', prevHash: '0'.repeat(64), hash: '1'.repeat(64) });
    const header = signWebhook(secret, body, now);
    const cases = [
      { name: 'genuine', secret, body, header, expect: true },
      { name: 'genuine, 4 minutes later', secret, body, header, now: now + 240, expect: true },
      { name: 'tampered body', secret, body: body.replace('"ok"', '"OK"'), header, expect: false },
      { name: 'wrong secret', secret: newWebhookSecret(), body, header, expect: false },
      { name: 'old timestamp (replay)', secret, body, header, now: now + 301, expect: false },
      { name: 'timestamp swapped in', secret, body, header: header.replace(`t=${now}`, `t=${now + 1}`), expect: false },
      { name: 'missing header', secret, body, header: null, expect: false },
      { name: 'garbage header', secret, body, header: 'v1=zz', expect: false },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-doc-'));
    const file = join(dir, 'receiver.mjs');
    writeFileSync(
      file,
      `${snippet()}\nconst cases = ${JSON.stringify(cases)};\n` +
        `console.log(JSON.stringify(cases.map((c) => ({ name: c.name, got: verifyNightcoreSignature(c.secret, Buffer.from(c.body, 'utf8'), c.header, 300, c.now ?? ${now}), want: c.expect }))));\n`,
    );
    const results = JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8' })) as { name: string; got: boolean; want: boolean }[];
    expect(results).toHaveLength(cases.length);
    for (const r of results) expect(r.got, r.name).toBe(r.want);
  });
});
