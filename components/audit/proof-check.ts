/**
 * Checks an inclusion proof in the browser, with no help from the server beyond the bundle: the
 * event is re-hashed from its fields, the checkpoint's Ed25519 signature is checked (strict RFC 8032,
 * @noble/ed25519) against the log's verifier key, and the RFC 9162 audit path is folded up to the
 * signed root. The same formats and rules as server/core/audit (docs/audit-log.md), written again
 * for the browser (no node:crypto, no Buffer); a test checks both accept and refuse the same bundles.
 */
import canonicalize from 'canonicalize';
import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

ed.hashes.sha512 = sha512;

export interface ProofStep {
  readonly ok: boolean;
  readonly text: string;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
function fromHex(hex: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) return undefined;
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}
function fromBase64(b64: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

interface Event {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  payload: unknown;
  prevHash: string;
  hash: string;
}

/** The event hash as docs/audit-log.md defines it (keys in RFC 8785 order). */
function eventHash(e: Event): string | undefined {
  const payload = canonicalize(e.payload);
  if (payload === undefined) return undefined;
  const text = `{"action":${JSON.stringify(e.action)},"actor":${JSON.stringify(e.actor)},"payload":${payload},"prev":${JSON.stringify(e.prevHash)},"seq":${e.seq},"subject":${JSON.stringify(e.subject)},"time":${JSON.stringify(e.time)}}`;
  return toHex(sha256(utf8(text)));
}

/** `<name>+<8 hex>+<base64(0x01 ‖ key)>`, the key hash checked. */
function parseVerifierKey(vkey: string): { name: string; publicKey: Uint8Array; keyHash: Uint8Array } | undefined {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(vkey.trim());
  const raw = m ? fromBase64(m[3]!) : undefined;
  if (!m || !raw || raw.length !== 33 || raw[0] !== 1) return undefined;
  const publicKey = raw.slice(1);
  const keyHash = sha256(concat(utf8(`${m[1]}\n`), Uint8Array.of(1), publicKey)).slice(0, 4);
  return toHex(keyHash) === m[2] ? { name: m[1]!, publicKey, keyHash } : undefined;
}

const node = (l: Uint8Array, r: Uint8Array) => sha256(concat(Uint8Array.of(1), l, r));

/** RFC 9162 2.1.3.2. */
function rootFromPath(index: number, size: number, leaf: Uint8Array, path: readonly Uint8Array[]): Uint8Array | undefined {
  if (index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

/** Every check in order; the proof holds only when every step is ok. */
export function checkInclusionInBrowser(bundle: unknown, verifierKey: string): { ok: boolean; steps: ProofStep[] } {
  const steps: ProofStep[] = [];
  const step = (ok: boolean, text: string) => (steps.push({ ok, text }), ok);
  const done = () => ({ ok: steps.length > 0 && steps.every((s) => s.ok), steps });
  const b = bundle as { type?: unknown; event?: Event; leafIndex?: unknown; treeSize?: unknown; proof?: unknown; checkpoint?: unknown } | null;
  if (!b || b.type !== 'nightcore.audit-inclusion/v1' || typeof b.checkpoint !== 'string' || !b.event || !Array.isArray(b.proof)) {
    step(false, 'the proof is not a nightcore.audit-inclusion/v1 bundle');
    return done();
  }
  const key = parseVerifierKey(verifierKey);
  if (!step(key !== undefined, key ? `verifier key ${key.name}` : 'the verifier key is malformed')) return done();

  const split = b.checkpoint.lastIndexOf('\n\n');
  const text = split < 0 ? '' : b.checkpoint.slice(0, split + 1);
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine] = lines;
  const root = rootLine ? fromBase64(rootLine) : undefined;
  if (!step(lines.length === 3 && origin === key!.name && /^(0|[1-9][0-9]*)$/.test(sizeLine ?? '') && root?.length === 32, `checkpoint of ${origin ?? '?'} at tree size ${sizeLine ?? '?'}`)) return done();

  const sigs = b.checkpoint.slice(split + 2).split('\n').filter((l) => l.length > 0);
  const mine = sigs.map((l) => /^\u2014 (\S+) (\S+)$/u.exec(l)).filter((m) => m?.[1] === key!.name).map((m) => fromBase64(m![2]!)).filter((v) => v && v.length === 68 && equal(v.slice(0, 4), key!.keyHash));
  let signed = mine.length > 0;
  for (const sig of mine) {
    try {
      signed &&= ed.verify(sig!.slice(4), utf8(text), key!.publicKey, { zip215: false });
    } catch {
      signed = false;
    }
  }
  if (!step(signed, signed ? 'the checkpoint is signed by the log key (Ed25519, strict)' : 'the checkpoint is not signed by the log key')) return done();

  const e = b.event;
  const recomputed = eventHash(e);
  if (!step(recomputed !== undefined && recomputed === e.hash, recomputed === e.hash ? `event ${e.seq} hashes to ${e.hash.slice(0, 16)}…` : `event ${e.seq} does not hash to its stated hash: its content was changed`)) return done();
  if (!step(b.leafIndex === e.seq - 1 && b.treeSize === Number(sizeLine), `leaf ${String(b.leafIndex)} of a tree of ${String(b.treeSize)}`)) return done();

  const path = (b.proof as unknown[]).map((p) => (typeof p === 'string' ? fromBase64(p) : undefined));
  const eventBytes = fromHex(e.hash);
  const computed = path.every((p) => p?.length === 32) && eventBytes ? rootFromPath(e.seq - 1, Number(sizeLine), sha256(concat(Uint8Array.of(0), eventBytes)), path as Uint8Array[]) : undefined;
  step(computed !== undefined && equal(computed, root!), computed && equal(computed, root!) ? `the ${path.length}-hash path leads to the signed root` : 'the path does not lead to the signed root');
  return done();
}
