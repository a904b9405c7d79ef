import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpReceiver, SyslogReceiver, deliverUntilCaughtUp, newDataDir, openConsoleSide, type ConsoleSide } from './test-receivers';
import type { AuditEventInput } from '../../core/audit/event';
import type { Result } from '../../core/result';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function side(options: Parameters<typeof openConsoleSide>[1] = {}): ConsoleSide {
  const s = openConsoleSide(newDataDir(), options);
  cleanups.push(() => s.close());
  return s;
}

const tricky = (i: number): AuditEventInput => ({
  actor: `user:a"n]n\\${i}`, // characters RFC 5424 makes us escape in structured data
  action: i % 2 ? 'module.quarantined' : 'run.decided',
  subject: `module:ü-${i}`,
  payload: { note: `line one\nline two ${'x'.repeat(i)}`, i },
});

// ---- an independent RFC 6587 octet-counting + RFC 5424 parser (written from the RFCs, not from our formatter)
function parseOctetCounted(stream: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let at = 0;
  while (at < stream.length) {
    const space = stream.indexOf(0x20, at);
    const digits = stream.subarray(at, space).toString('ascii');
    if (!/^[1-9]\d*$/.test(digits)) throw new Error(`bad MSG-LEN at ${at}: "${digits}"`);
    const len = Number(digits);
    frames.push(stream.subarray(space + 1, space + 1 + len));
    if (space + 1 + len > stream.length) throw new Error('truncated frame');
    at = space + 1 + len;
  }
  return frames;
}

interface Syslog5424 { pri: number; version: string; timestamp: string; hostname: string; app: string; procid: string; msgid: string; sd: Record<string, Record<string, string>>; msg: string }

function parse5424(frame: Buffer): Syslog5424 {
  const text = frame.toString('utf8');
  const head = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(text);
  if (!head) throw new Error(`not RFC 5424: ${text.slice(0, 80)}`);
  let i = head[0].length;
  const sd: Syslog5424['sd'] = {};
  if (text[i] === '-') i++;
  while (text[i] === '[') {
    const idEnd = text.slice(i).search(/[ \]]/) + i;
    const id = text.slice(i + 1, idEnd);
    const params: Record<string, string> = {};
    i = idEnd;
    while (text[i] === ' ') {
      const eq = text.indexOf('=', i);
      const name = text.slice(i + 1, eq);
      if (text[eq + 1] !== '"') throw new Error('PARAM-VALUE must be quoted');
      let value = '';
      let j = eq + 2;
      for (; text[j] !== '"'; j++) {
        if (text[j] === '\\' && ['"', '\\', ']'].includes(text[j + 1]!)) j++;
        else if (text[j] === ']' || text[j] === undefined) throw new Error('unescaped ] in PARAM-VALUE');
        value += text[j];
      }
      params[name] = value;
      i = j + 1;
    }
    if (text[i] !== ']') throw new Error('SD-ELEMENT not closed');
    sd[id] = params;
    i++;
  }
  if (text[i] !== ' ') throw new Error('expected SP before MSG');
  return { pri: Number(head[1]), version: head[2]!, timestamp: head[3]!, hostname: head[4]!, app: head[5]!, procid: head[6]!, msgid: head[7]!, sd, msg: text.slice(i + 1) };
}

// ---- certificates made on the spot with the openssl CLI
let pki: { dir: string; ca: string; wrongCa: string; key: string; cert: string };
beforeAll(() => {
  expect(existsSync('/usr/bin/openssl') || existsSync('/usr/local/bin/openssl')).toBe(true);
  const dir = mkdtempSync(join(tmpdir(), 'nightcore-pki-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const name of ['ca', 'wrong']) {
    ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=test ${name} CA`);
  }
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  pki = { dir, ca: read('ca.crt'), wrongCa: read('wrong.crt'), key: read('server.key'), cert: read('server.crt') };
});
afterAll(() => rmSync(pki.dir, { recursive: true, force: true }));

describe('syslog (RFC 5424 over TCP, RFC 6587 octet counting)', () => {
  it('every event once, framed so an independent parser reads back seq, hash and the event', async () => {
    const receiver = await new SyslogReceiver().start();
    cleanups.push(() => receiver.stop());
    const s = side();
    const events = Array.from({ length: 40 }, (_, i) => s.audit.append(tricky(i)));
    expect(s.delivery.create({ name: 'siem', kind: 'syslog', config: { target: `tcp://127.0.0.1:${receiver.port}` }, fromStart: true }, 'user:admin').ok).toBe(true);
    await deliverUntilCaughtUp(s.delivery);
    const messages = receiver.streams.flatMap(parseOctetCounted).map(parse5424);
    expect(messages.map((m) => Number(m.sd['nightcore@32473']!.seq))).toEqual(Array.from({ length: s.audit.head().seq }, (_, i) => i + 1));
    const byseq = new Map(messages.map((m) => [Number(m.sd['nightcore@32473']!.seq), m]));
    for (const e of events) {
      const m = byseq.get(e.seq)!;
      expect(m).toMatchObject({ version: '1', hostname: 'test-host', app: 'nightcore', procid: '-', msgid: e.action, timestamp: e.time });
      expect(m.sd['nightcore@32473']).toMatchObject({ hash: e.hash, prevHash: e.prevHash, actor: e.actor, subject: e.subject });
      expect(m.pri).toBe(13 * 8 + (e.action === 'module.quarantined' ? 4 : 5));
      expect(m.msg.startsWith('\uFEFF')).toBe(true);
      expect(JSON.parse(m.msg.slice(1))).toMatchObject({ seq: e.seq, hash: e.hash, payload: JSON.parse(e.payload) });
    }
  });

  it('over TLS: delivered when the server certificate chains to the configured CA, refused with a wrong CA', async () => {
    const receiver = await new SyslogReceiver({ key: pki.key, cert: pki.cert }).start();
    cleanups.push(() => receiver.stop());
    const s = side({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
    s.audit.append(tricky(1));
    const target = `tls://127.0.0.1:${receiver.port}`;
    s.delivery.create({ name: 'good-ca', kind: 'syslog', config: { target, caPem: pki.ca }, fromStart: true }, 'user:admin');
    s.delivery.create({ name: 'wrong-ca', kind: 'syslog', config: { target, caPem: pki.wrongCa }, fromStart: true }, 'user:admin');
    s.delivery.create({ name: 'system-cas', kind: 'syslog', config: { target }, fromStart: true }, 'user:admin');
    await s.delivery.tick();
    const status = Object.fromEntries(s.delivery.status().map((d) => [d.name, d]));
    expect(status['good-ca']).toMatchObject({ state: 'caught_up' });
    expect(status['wrong-ca']).toMatchObject({ state: 'failing', cursor: 0, lastError: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|certificate/i) });
    expect(status['system-cas']).toMatchObject({ state: 'failing', cursor: 0 });
    const frames = receiver.streams.flatMap(parseOctetCounted);
    expect(frames.length).toBe(s.audit.head().seq); // only the good-CA connection delivered anything
  });

  it('refuses a non-syslog target and a CA that is not a certificate', () => {
    const s = side();
    for (const config of [{ target: 'udp://127.0.0.1:514' }, { target: 'http://127.0.0.1:514' }, { target: 'tls://h:6514', caPem: 'not a pem' }]) {
      expect(s.delivery.create({ name: 'bad', kind: 'syslog', config }, 'user:admin')).toMatchObject({ ok: false, code: 'INVALID_DESTINATION' });
    }
  });
});

describe('HTTP event sink (HEC-compatible)', () => {
  it('batches newline-separated events with the Splunk token, and catches up after the collector restarts', async () => {
    const collector = await new HttpReceiver().start();
    cleanups.push(() => collector.stop());
    const s = side();
    for (let i = 0; i < 250; i++) s.audit.append(tricky(i));
    const created = s.delivery.create({ name: 'splunk', kind: 'hec', config: { url: collector.url }, token: 'hec-token-123', fromStart: true }, 'user:admin');
    expect(created.ok && created.value.secret).toBe(undefined); // a token is given, never shown back
    await deliverUntilCaughtUp(s.delivery);
    await collector.stop();
    for (let i = 0; i < 30; i++) s.audit.append(tricky(i));
    await s.delivery.tick();
    expect(s.delivery.status()[0]).toMatchObject({ state: 'failing' });
    await collector.start();
    await deliverUntilCaughtUp(s.delivery);

    const seqs: number[] = [];
    for (const r of collector.requests) {
      expect(r.url).toBe('/services/collector/event');
      expect(r.headers.authorization).toBe('Splunk hec-token-123');
      for (const line of r.body.split('\n')) {
        const rec = JSON.parse(line);
        expect(Object.keys(rec)).toEqual(['time', 'host', 'source', 'sourcetype', 'event']);
        expect(rec).toMatchObject({ host: 'test-host', source: 'nightcore', sourcetype: 'nightcore:audit' });
        expect(rec.time).toBeCloseTo(Date.parse(rec.event.time) / 1000, 3);
        seqs.push(rec.event.seq);
      }
    }
    expect([...new Set(seqs)]).toEqual(Array.from({ length: s.audit.head().seq }, (_, i) => i + 1));
    expect(collector.requests.length).toBeGreaterThan(1); // batched (200 per request), not one request per event
    expect(collector.requests.length).toBeLessThan(10);
  });

  it('an HEC sink needs a token', () => {
    const s = side();
    expect(s.delivery.create({ name: 'x', kind: 'hec', config: { url: 'https://h/' } }, 'user:admin')).toMatchObject({ ok: false, code: 'INVALID_DESTINATION' });
  });
});

describe('OCSF JSON Lines files', () => {
  it('rotates by size, keeps N files, and the kept files hold the newest events contiguously', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nightcore-ocsf-'));
    const s = side();
    for (let i = 0; i < 120; i++) s.audit.append(tricky(i % 20));
    expect(s.delivery.create({ name: 'ocsf', kind: 'ocsf', config: { dir, maxBytes: 8192, keep: 2 }, fromStart: true }, 'user:admin').ok).toBe(true);
    await deliverUntilCaughtUp(s.delivery);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['ocsf.1.jsonl', 'ocsf.2.jsonl', 'ocsf.jsonl']);
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(8192);
    const records = ['ocsf.2.jsonl', 'ocsf.1.jsonl', 'ocsf.jsonl'].flatMap((f) => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)));
    const seqs = records.map((r) => r.metadata.sequence);
    const head = s.audit.head().seq;
    expect(seqs[seqs.length - 1]).toBe(head);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => head - seqs.length + 1 + i));
    const quarantine = records.find((r) => r.unmapped.action === 'module.quarantined');
    expect(quarantine).toMatchObject({ class_uid: 6003, category_uid: 6, activity_id: 3, type_uid: 600303, metadata: { version: '1.1.0', uid: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  });

  it('an unwritable folder is a logged failure, and nothing is lost', async () => {
    const s = side({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
    s.audit.append(tricky(1));
    const file = join(mkdtempSync(join(tmpdir(), 'nightcore-ocsf-')), 'a-file');
    writeFileSync(file, 'not a folder');
    s.delivery.create({ name: 'ocsf', kind: 'ocsf', config: { dir: join(file, 'sub'), maxBytes: 8192, keep: 1 }, fromStart: true }, 'user:admin');
    await s.delivery.tick();
    expect(s.delivery.status()[0]).toMatchObject({ state: 'failing', cursor: 0, lastError: expect.stringMatching(/ENOTDIR|EEXIST/) });
  });

  it('refuses relative folders and silly sizes', () => {
    const s = side();
    const r: Result<unknown, string> = s.delivery.create({ name: 'o', kind: 'ocsf', config: { dir: 'relative', maxBytes: 10, keep: 0 } }, 'user:admin');
    expect(r).toMatchObject({ ok: false, code: 'INVALID_DESTINATION' });
    expect(r.ok ? [] : r.issues).toHaveLength(3);
  });
});

describe('licence lapses', () => {
  it('an unlicensed SIEM sink pauses with its cursor kept and catches up when the licence returns', async () => {
    const receiver = await new SyslogReceiver().start();
    cleanups.push(() => receiver.stop());
    let licensed = true;
    const s = side({ siemGate: () => (licensed ? { ok: true, value: undefined } : { ok: false, code: 'LICENSE_REQUIRED', message: 'siem_export is PRO' }) });
    expect(s.delivery.create({ name: 'siem', kind: 'syslog', config: { target: `tcp://127.0.0.1:${receiver.port}` }, fromStart: true }, 'user:admin').ok).toBe(true);
    licensed = false;
    for (let i = 0; i < 5; i++) s.audit.append(tricky(i));
    await s.delivery.tick();
    expect(receiver.streams).toHaveLength(0);
    expect(s.delivery.status()[0]).toMatchObject({ state: 'unlicensed', cursor: 0 });
    licensed = true;
    await deliverUntilCaughtUp(s.delivery);
    const seqs = receiver.streams.flatMap(parseOctetCounted).map((f) => Number(parse5424(f).sd['nightcore@32473']!.seq));
    expect(seqs).toEqual(Array.from({ length: s.audit.head().seq }, (_, i) => i + 1));
  });
});
