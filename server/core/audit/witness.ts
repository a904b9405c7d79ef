/**
 * A witness (C2SP tlog-witness / tlog-cosignature): it remembers the newest checkpoint it has
 * cosigned for each log it knows and cosigns a new one only after checking a consistency proof
 * from that checkpoint. A log that was truncated, rewritten or forked cannot show a proof, so the
 * witness refuses it, and without the witness's cosignature nobody should believe its checkpoint.
 *
 * add-checkpoint request body:   old <size>\n  <base64 proof hash>\n ...  \n  <signed checkpoint note>
 * 200: the cosignature line(s); 409: the witness's current size (text/x.tlog.size); 422: a bad proof;
 * 403: not signed by the log; 404: unknown log; 400: malformed. This file is pure: the HTTP server
 * and the state file are adapters around it.
 */
import { ok, err, type Result } from '../result';
import type { Ed25519Verify } from './ed25519-port';
import { openCheckpoint, readTreeHead } from './checkpoint-note';
import { HASH_BYTES, type Hash } from './merkle';
import { checkConsistency } from './proof-bundle';
import { keyHash, parseNote, signatureLine, type NoteKey } from './signed-note';

/** Algorithm byte of timestamped Ed25519 cosignatures (C2SP tlog-cosignature). */
export const ALG_COSIGNATURE_V1 = 0x04;

export interface WitnessedHead {
  readonly size: number;
  /** base64 root */
  readonly root: string;
}

/** What a witness persists: per origin, the newest head it cosigned. */
export type WitnessState = Readonly<Record<string, WitnessedHead>>;

export interface WitnessIdentity {
  readonly name: string;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Hash[];
  readonly note: string;
}

export type WitnessAnswer =
  | { readonly status: 200; readonly cosignature: string; readonly state: WitnessState }
  | { readonly status: 409; readonly size: number; readonly message: string }
  | { readonly status: 400 | 403 | 404 | 422; readonly message: string };

const MAX_REQUEST_BYTES = 64 * 1024;
const MAX_PROOF = 64;

export function formatAddCheckpoint(req: AddCheckpointRequest): string {
  const proof = req.proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('');
  return `old ${req.oldSize}\n${proof}\n${req.note}`;
}

export function parseAddCheckpoint(body: string): Result<AddCheckpointRequest, 'REQUEST_MALFORMED'> {
  const bad = (why: string) => err('REQUEST_MALFORMED' as const, `add-checkpoint request is malformed: ${why}`);
  if (Buffer.byteLength(body, 'utf8') > MAX_REQUEST_BYTES) return bad(`larger than ${MAX_REQUEST_BYTES} bytes`);
  const blank = body.indexOf('\n\n');
  if (blank < 0) return bad('no blank line before the checkpoint');
  const lines = body.slice(0, blank).split('\n');
  const old = /^old (0|[1-9][0-9]{0,15})$/.exec(lines[0] ?? '');
  if (!old || !Number.isSafeInteger(Number(old[1]))) return bad('the first line must be "old <size>"');
  if (lines.length - 1 > MAX_PROOF) return bad(`more than ${MAX_PROOF} proof hashes`);
  const proof: Hash[] = [];
  for (const line of lines.slice(1)) {
    const bytes = Buffer.from(line, 'base64');
    if (bytes.length !== HASH_BYTES || bytes.toString('base64') !== line) return bad('a proof line is not a base64 SHA-256 hash');
    proof.push(new Uint8Array(bytes));
  }
  return ok({ oldSize: Number(old[1]), proof, note: body.slice(blank + 2) });
}

const encoder = new TextEncoder();

export const cosignatureKeyHash = (name: string, publicKey: Uint8Array): Uint8Array => keyHash(name, ALG_COSIGNATURE_V1, publicKey);

/** The signed message of a cosignature/v1: the header, the time, then the checkpoint body. */
export const cosignedMessage = (checkpointBody: string, time: number): Uint8Array => encoder.encode(`cosignature/v1\ntime ${time}\n${checkpointBody}`);

export function cosign(checkpointBody: string, witness: WitnessIdentity, time: number): string {
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(time));
  const signature = witness.sign(cosignedMessage(checkpointBody, time));
  return signatureLine(witness.name, cosignatureKeyHash(witness.name, witness.publicKey), Uint8Array.from([...stamp, ...signature]));
}

/** Checks a witness's cosignature line over a checkpoint; returns the time it was made. */
export function verifyCosignature(note: string, line: string, witness: NoteKey, verify: Ed25519Verify): Result<number, 'COSIGNATURE_INVALID'> {
  const bad = (why: string) => err('COSIGNATURE_INVALID' as const, `cosignature by ${witness.name}: ${why}`);
  const parsed = parseNote(note);
  const lineParsed = parseNote(`x\n\n${line.endsWith('\n') ? line : `${line}\n`}`);
  if (!parsed.ok || !lineParsed.ok || lineParsed.value.signatures.length !== 1) return bad('not a signature line over a checkpoint');
  const sig = lineParsed.value.signatures[0]!;
  if (sig.name !== witness.name || Buffer.compare(sig.keyHash, cosignatureKeyHash(witness.name, witness.publicKey)) !== 0) return bad('made by another key');
  if (sig.signature.length !== 72) return bad('not a timestamped Ed25519 signature');
  const time = Buffer.from(sig.signature.subarray(0, 8)).readBigUInt64BE();
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) return bad('the time is out of range');
  let valid = false;
  try {
    valid = verify(witness.publicKey, cosignedMessage(parsed.value.text, Number(time)), sig.signature.subarray(8));
  } catch {
    valid = false;
  }
  return valid ? ok(Number(time)) : bad('the signature does not verify');
}

/**
 * One add-checkpoint call: the whole decision. `logs` maps origin to the log's key; the new state
 * is returned on success and must be stored before the cosignature is handed out.
 */
export function addCheckpoint(
  state: WitnessState,
  body: string,
  logs: ReadonlyMap<string, NoteKey>,
  witness: WitnessIdentity,
  verify: Ed25519Verify,
  nowSeconds: number,
): WitnessAnswer {
  const req = parseAddCheckpoint(body);
  if (!req.ok) return { status: 400, message: req.message };
  const claimed = readTreeHead(req.value.note);
  if (!claimed.ok) return { status: 400, message: claimed.message };
  const logKey = logs.get(claimed.value.origin);
  if (!logKey) return { status: 404, message: `this witness does not know the log "${claimed.value.origin}"` };
  const head = openCheckpoint(req.value.note, logKey, verify);
  if (!head.ok) return { status: 403, message: head.message };
  const { size, root, origin } = head.value;
  if (req.value.oldSize > size) return { status: 400, message: `old size ${req.value.oldSize} is larger than the checkpoint's size ${size}` };
  const known = state[origin] ?? { size: 0, root: '' };
  if (req.value.oldSize !== known.size) {
    return { status: 409, size: known.size, message: `this witness is at size ${known.size}, not ${req.value.oldSize}` };
  }
  const rootB64 = Buffer.from(root).toString('base64');
  if (known.size === size && known.root !== rootB64) {
    return { status: 409, size: known.size, message: `a different tree of size ${size} was already cosigned: the log forked` };
  }
  if (known.size > 0) {
    const consistent = checkConsistency({ size: known.size, root: new Uint8Array(Buffer.from(known.root, 'base64')), origin }, { size, root, origin }, req.value.proof);
    if (!consistent.ok) return { status: 422, message: consistent.message };
  }
  const body_ = parseNote(req.value.note);
  if (!body_.ok) return { status: 400, message: body_.message };
  return {
    status: 200,
    cosignature: cosign(body_.value.text, witness, nowSeconds),
    state: { ...state, [origin]: { size, root: rootB64 } },
  };
}
