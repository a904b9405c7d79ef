/**
 * The checkpoint body of C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint), the text a
 * signed note carries:
 *
 *   <origin>\n          the log's identity, e.g. nightcore.example/audit/1f2e3d4c5b6a7988
 *   <tree size>\n       decimal, no leading zeros
 *   <root hash>\n       base64 of the 32-byte RFC 9162 tree head
 *
 * Night Core writes no extension lines; parsing refuses them so that two different texts can
 * never carry the same tree head.
 */
import { ok, err, type Result } from '../result';
import { HASH_BYTES, type Hash } from './merkle';

export interface TreeHead {
  readonly origin: string;
  readonly size: number;
  readonly root: Hash;
}

export type CheckpointBodyCode = 'CHECKPOINT_BODY_MALFORMED';

/** Printable, no spaces at either end, no control characters: what witnesses accept as an origin. */
const ORIGIN = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;
const SIZE = /^(?:0|[1-9][0-9]{0,15})$/;
const ROOT_B64 = /^[A-Za-z0-9+/]{43}=$/;

export const isOrigin = (origin: string): boolean => ORIGIN.test(origin);

export function formatCheckpointBody(head: TreeHead): string {
  if (!isOrigin(head.origin)) throw new TypeError(`"${head.origin}" is not a valid checkpoint origin`);
  if (!Number.isSafeInteger(head.size) || head.size < 0) throw new TypeError('tree size must be a non-negative safe integer');
  if (head.root.length !== HASH_BYTES) throw new TypeError('root hash must be 32 bytes');
  return `${head.origin}\n${head.size}\n${Buffer.from(head.root).toString('base64')}\n`;
}

export function parseCheckpointBody(body: string): Result<TreeHead, CheckpointBodyCode> {
  const bad = (why: string) => err('CHECKPOINT_BODY_MALFORMED' as const, `checkpoint is malformed: ${why}`);
  if (!body.endsWith('\n')) return bad('it must end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length !== 3) return bad(lines.length < 3 ? 'expected origin, size and root hash lines' : 'extension lines are not accepted');
  const [origin, size, root] = lines as [string, string, string];
  if (!isOrigin(origin)) return bad('the origin line is empty, padded or holds control characters');
  if (!SIZE.test(size) || !Number.isSafeInteger(Number(size))) return bad('the size is not a decimal number without leading zeros');
  if (!ROOT_B64.test(root) || Buffer.from(root, 'base64').toString('base64') !== root) return bad('the root hash is not 32 bytes of canonical base64');
  return ok({ origin, size: Number(size), root: new Uint8Array(Buffer.from(root, 'base64')) });
}
