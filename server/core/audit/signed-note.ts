/**
 * C2SP signed notes (https://c2sp.org/signed-note), the envelope of transparency-log checkpoints
 * (Go's sumdb, Sigstore, the witness network):
 *
 *   <text, one or more lines, each ending in \n>
 *   \n
 *   — <key name> <base64(4-byte key hash || signature)>\n     (one line per signature)
 *
 * Ed25519 keys have algorithm byte 0x01; the key hash is the first 4 bytes of
 * SHA-256(name || "\n" || 0x01 || public key); the signature covers the text bytes exactly.
 * A verifier key is written `<name>+<key hash, 8 hex>+<base64(0x01 || public key)>`.
 * Parsing is strict: whatever does not match the format is refused with a reason, never guessed.
 */
import { createHash } from 'node:crypto';
import { ok, err, type Result } from '../result';
import type { Ed25519Verify } from './ed25519-port';

export const ALG_ED25519 = 0x01;
const EM_DASH = '\u2014';
const MAX_NOTE_BYTES = 64 * 1024;
const MAX_SIGNATURES = 64;

export type NoteCode = 'NOTE_MALFORMED' | 'NOTE_UNSIGNED' | 'NOTE_SIGNATURE_INVALID' | 'VERIFIER_KEY_MALFORMED';

export interface NoteSignature {
  readonly name: string;
  /** 4 bytes */
  readonly keyHash: Uint8Array;
  /** the rest of the decoded value: the signature (and, for cosignatures, their timestamp first) */
  readonly signature: Uint8Array;
}

export interface ParsedNote {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface NoteKey {
  readonly name: string;
  readonly publicKey: Uint8Array;
}

/** Key names: non-empty, no whitespace, no "+" (it separates the parts of a verifier key). */
const KEY_NAME = /^[^\s+\u2014]+$/u;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const encoder = new TextEncoder();

export const isKeyName = (name: string): boolean => KEY_NAME.test(name);

export function keyHash(name: string, alg: number, publicKey: Uint8Array): Uint8Array {
  const h = createHash('sha256').update(encoder.encode(`${name}\n`)).update(Uint8Array.of(alg)).update(publicKey).digest();
  return new Uint8Array(h.subarray(0, 4));
}

/** `alg` 0x01 for a log's note key, 0x04 for a witness's cosignature key. */
export function formatVerifierKey(key: NoteKey, alg: number = ALG_ED25519): string {
  if (!isKeyName(key.name)) throw new TypeError(`"${key.name}" is not a valid note key name`);
  const hash = Buffer.from(keyHash(key.name, alg, key.publicKey)).toString('hex');
  return `${key.name}+${hash}+${Buffer.from(Uint8Array.of(alg, ...key.publicKey)).toString('base64')}`;
}

export function parseVerifierKey(vkey: string, alg: number = ALG_ED25519): Result<NoteKey, 'VERIFIER_KEY_MALFORMED'> {
  const bad = (why: string) => err('VERIFIER_KEY_MALFORMED' as const, `verifier key is malformed: ${why}`);
  // The base64 key may itself hold "+": split at the first two only.
  const m = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey.trim());
  if (!m) return bad('expected <name>+<8 hex digits>+<base64 key>');
  const [, name, hashHex, b64] = m as unknown as [string, string, string, string];
  if (!isKeyName(name)) return bad('the name is empty or holds spaces');
  if (!/^[0-9a-f]{8}$/.test(hashHex)) return bad('the key hash must be 8 lowercase hex digits');
  if (!BASE64.test(b64)) return bad('the key is not base64');
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 33 || raw[0] !== alg) return bad(`expected an Ed25519 key of algorithm 0x0${alg} (32 bytes)`);
  const publicKey = new Uint8Array(raw.subarray(1));
  if (Buffer.from(keyHash(name, alg, publicKey)).toString('hex') !== hashHex) return bad('the key hash does not match the name and key');
  return ok({ name, publicKey });
}

/** Appends one signature line to a note's text (no signatures yet) and returns the whole note. */
export function signNote(text: string, key: NoteKey, sign: (message: Uint8Array) => Uint8Array): string {
  checkText(text, true);
  const signature = sign(encoder.encode(text));
  return `${text}\n${signatureLine(key.name, keyHash(key.name, ALG_ED25519, key.publicKey), signature)}`;
}

export function signatureLine(name: string, hash: Uint8Array, value: Uint8Array): string {
  return `${EM_DASH} ${name} ${Buffer.from([...hash, ...value]).toString('base64')}\n`;
}

function checkText(text: string, thrower: true): void;
function checkText(text: string, thrower: false): string | undefined;
function checkText(text: string, thrower: boolean): string | undefined {
  let problem: string | undefined;
  if (text.length === 0 || !text.endsWith('\n')) problem = 'the text must end with a newline';
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text)) problem = 'the text holds control characters';
  else if (LONE_SURROGATE.test(text)) problem = 'the text is not well-formed Unicode';
  if (problem && thrower) throw new TypeError(problem);
  return problem;
}

/** With the u flag this matches only unpaired surrogates, which UTF-8 cannot carry. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Splits a note into its text and signature lines; does not check any signature. */
export function parseNote(note: string): Result<ParsedNote, 'NOTE_MALFORMED'> {
  const bad = (why: string) => err('NOTE_MALFORMED' as const, `signed note is malformed: ${why}`);
  if (typeof note !== 'string') return bad('not text');
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) return bad(`larger than ${MAX_NOTE_BYTES} bytes`);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return bad('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const problem = checkText(text, false);
  if (problem) return bad(problem);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) return bad('the last signature line does not end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return bad(`more than ${MAX_SIGNATURES} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!m || !isKeyName(m[1]!) || !BASE64.test(m[2]!)) return bad(`"${line.slice(0, 80)}" is not a signature line`);
    const raw = Buffer.from(m[2]!, 'base64');
    if (raw.toString('base64') !== m[2]) return bad('a signature is not canonical base64');
    if (raw.length < 5) return bad('a signature is too short');
    signatures.push({ name: m[1]!, keyHash: new Uint8Array(raw.subarray(0, 4)), signature: new Uint8Array(raw.subarray(4)) });
  }
  return ok({ text, signatures });
}

/**
 * Checks that `note` carries a valid Ed25519 signature by `key` and returns its text. Signatures by
 * other keys are ignored (a note may carry cosignatures); a line claiming our name and key hash
 * with a bad signature makes the note invalid.
 */
export function openNote(note: string, key: NoteKey, verify: Ed25519Verify): Result<string, NoteCode> {
  const parsed = parseNote(note);
  if (!parsed.ok) return parsed;
  const hash = keyHash(key.name, ALG_ED25519, key.publicKey);
  const mine = parsed.value.signatures.filter((s) => s.name === key.name && Buffer.compare(s.keyHash, hash) === 0);
  if (mine.length === 0) return err('NOTE_UNSIGNED', `the note carries no signature by ${key.name}`);
  const message = encoder.encode(parsed.value.text);
  for (const s of mine) {
    let valid = false;
    try {
      valid = s.signature.length === 64 && verify(key.publicKey, message, s.signature);
    } catch {
      valid = false; // a verifier that throws on odd input must not turn into "accepted"
    }
    if (!valid) return err('NOTE_SIGNATURE_INVALID', `the signature by ${key.name} does not verify`);
  }
  return ok(parsed.value.text);
}
