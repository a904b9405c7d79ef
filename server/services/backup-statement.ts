/**
 * The statement a backup carries (`nightcore.backup/v1`, table nightcore_backup of the backup file):
 * when, the schema, the chain head, the server key that signed, and the digest of each secret file
 * carried. Signed by the server key over its canonical (RFC 8785) JSON. Published as
 * docs/formats/backup-statement.v1.schema.json; restore reads it only through openBackupStatement.
 */
import { z } from 'zod';
import canonicalize from 'canonicalize';
import { err, ok, type Result } from '../core/result';
import { describeIssues } from '../core/module/manifest';
import { keyIdOf } from '../core/crypto/keys';
import type { Ed25519Verify } from '../core/audit/ed25519-port';

export const BACKUP_FORMAT = 'nightcore.backup/v1';
const HEX64 = /^[0-9a-f]{64}$/;

export const ZBackupStatementSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.string().min(1).max(64),
  /** the last migration applied to the database in the file (its schema version) */
  schema: z.string().min(1).max(128),
  /** the newest event in the file: seq 0 and an empty hash for an empty log */
  headSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  headHash: z.union([z.literal(''), z.string().regex(HEX64)]),
  /** the key that signed: hex SHA-256 of the raw Ed25519 public key */
  serverKeyId: z.string().regex(HEX64, 'must be 64 lower-case hex digits'),
  /** SHA-256 of each secret file carried, by name (empty without --with-secrets) */
  secrets: z.partialRecord(z.enum(['server-key.json', 'auth-secret']), z.string().regex(HEX64)),
});
export type BackupStatement = z.infer<typeof ZBackupStatementSchema>;

export type StatementCode = 'NOT_A_BACKUP' | 'STATEMENT_INVALID';

/** The bytes the server key signs. */
export const backupStatementBytes = (s: BackupStatement): Uint8Array => new TextEncoder().encode(canonicalize(s)!);

/**
 * Reads a statement (as stored: JSON text) and checks it was signed by `publicKey`, whose id it
 * must name. Every check restore makes on the statement itself; the chain and secrets come after.
 */
export function openBackupStatement(text: string, signature: string, publicKey: Uint8Array, verify: Ed25519Verify): Result<BackupStatement, StatementCode> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return err('NOT_A_BACKUP', 'the backup statement is missing or not JSON');
  }
  if ((value as { format?: unknown } | null)?.format !== BACKUP_FORMAT) {
    return err('NOT_A_BACKUP', `unknown backup format ${JSON.stringify((value as { format?: unknown } | null)?.format)}`);
  }
  const parsed = ZBackupStatementSchema.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return err('STATEMENT_INVALID', `the backup statement is malformed: ${issues.join('; ')}`, issues);
  }
  if (parsed.data.serverKeyId !== keyIdOf(publicKey)) return err('STATEMENT_INVALID', `the backup statement names server key ${parsed.data.serverKeyId.slice(0, 16)}, not the key given`);
  const sig = Buffer.from(signature, 'base64');
  let valid = false;
  try {
    valid = sig.length === 64 && sig.toString('base64') === signature && verify(publicKey, backupStatementBytes(parsed.data), new Uint8Array(sig));
  } catch {
    valid = false;
  }
  if (!valid) return err('STATEMENT_INVALID', 'the backup statement is not signed by the server key: the file was changed after it was made');
  return ok(parsed.data);
}
