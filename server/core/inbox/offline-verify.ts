/**
 * Offline verification of signed approvals (docs/approvals.md, "Verifying offline"): from an export
 * file alone, with no database, check each statement against the approver public keys the export
 * carries and the subject it claims to decide. The export is evidence, not authority: a key counts
 * only if its keyid is the SHA-256 of the public key given, it has role approver and is active, and
 * a statement counts only if its signature verifies (strict RFC 8032), it is canonical, and it binds
 * exactly the exported subject, wasm digest, manifest (or quarantine entry) digest and policy revision.
 * Who the people are (eligibility, separation of duties) needs the console's user registry and is
 * not judged here; the answer names the user each key was registered to, as exported.
 */
import { z } from 'zod';
import { decodeBase64Strict, keyIdOf } from '../crypto/keys';
import { describeIssues } from '../module/manifest';
import { err, ok, type Result } from '../result';
import { openStatement, ZSignedApprovalSchema, type TApprovalStatement } from './statement';

export const APPROVALS_EXPORT_FORMAT = 'nightcore.approvals-export/v1';
const HEX64 = /^[0-9a-f]{64}$/;

export const ZApprovalsExportSchema = z.strictObject({
  format: z.literal(APPROVALS_EXPORT_FORMAT),
  /** What the statements decide, as the console recorded it. */
  target: z.strictObject({
    subject: z.string().min(1).max(80),
    wasmSha256: z.string().regex(HEX64),
    manifestSha256: z.string().regex(HEX64),
    policy: z.strictObject({ name: z.string().min(1).max(64), revision: z.number().int().positive() }),
  }),
  statements: z.array(ZSignedApprovalSchema).max(1000),
  /** The approver keys from the trust store export: raw Ed25519 public keys, base64. */
  keys: z
    .array(
      z.strictObject({
        keyid: z.string().regex(HEX64),
        publicKey: z.string().min(1).max(64),
        role: z.string().max(32),
        status: z.enum(['active', 'revoked']),
        user: z.string().max(64).nullable(),
      }),
    )
    .max(1000),
});
export type TApprovalsExport = z.infer<typeof ZApprovalsExportSchema>;

export type OfflineCode = 'KEY_UNKNOWN' | 'KEY_MISMATCH' | 'KEY_NOT_APPROVER' | 'KEY_REVOKED' | 'SIGNATURE_INVALID' | 'STATEMENT_INVALID' | 'WRONG_SUBJECT' | 'WRONG_WASM' | 'WRONG_MANIFEST' | 'WRONG_POLICY';

export interface OfflineResult {
  readonly index: number;
  readonly keyid: string;
  readonly ok: boolean;
  readonly code: OfflineCode | null;
  /** One plain sentence: what verified, or why not. */
  readonly explanation: string;
  readonly statement: TApprovalStatement | null;
  readonly user: string | null;
}

export function parseApprovalsExport(text: string): Result<TApprovalsExport, 'EXPORT_INVALID'> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return err('EXPORT_INVALID', 'The export is not JSON.');
  }
  const parsed = ZApprovalsExportSchema.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return err('EXPORT_INVALID', `The export has ${issues.length} problem(s): ${issues.join('; ')}`, issues);
  }
  return ok(parsed.data);
}

export function verifyApprovalsExport(exp: TApprovalsExport): OfflineResult[] {
  const keys = new Map(exp.keys.map((k) => [k.keyid, k]));
  const t = exp.target;
  return exp.statements.map((signed, index): OfflineResult => {
    const fail = (code: OfflineCode, explanation: string, statement: TApprovalStatement | null = null, user: string | null = null): OfflineResult => ({
      index, keyid: signed.keyid, ok: false, code, explanation, statement, user,
    });
    const key = keys.get(signed.keyid);
    if (!key) return fail('KEY_UNKNOWN', `No key ${signed.keyid} is in the export's keys.`);
    const publicKey = decodeBase64Strict(key.publicKey);
    // A keyid is the SHA-256 of the key: an export cannot pair a keyid with another key.
    if (!publicKey || publicKey.length !== 32 || keyIdOf(publicKey) !== key.keyid) return fail('KEY_MISMATCH', `The public key exported for ${key.keyid} does not hash to that keyid.`);
    if (key.role !== 'approver') return fail('KEY_NOT_APPROVER', `Key ${key.keyid} has role ${key.role}, not approver.`, null, key.user);
    if (key.status !== 'active') return fail('KEY_REVOKED', `Key ${key.keyid} is revoked; nothing it signed counts.`, null, key.user);
    const opened = openStatement(signed, publicKey);
    if (!opened.ok) return fail(opened.code, opened.message, null, key.user);
    const s = opened.value.statement;
    if (s.subject !== t.subject) return fail('WRONG_SUBJECT', `The statement decides ${s.subject}, not ${t.subject}.`, s, key.user);
    if (s.wasmSha256 !== t.wasmSha256) return fail('WRONG_WASM', `The statement is about wasm ${s.wasmSha256}, not ${t.wasmSha256}.`, s, key.user);
    if (s.manifestSha256 !== t.manifestSha256) return fail('WRONG_MANIFEST', `The statement is about manifest (or entry) ${s.manifestSha256}, not ${t.manifestSha256}.`, s, key.user);
    if (s.policy.name !== t.policy.name || s.policy.revision !== t.policy.revision) {
      return fail('WRONG_POLICY', `The statement was made under policy ${s.policy.name} r${s.policy.revision}, not ${t.policy.name} r${t.policy.revision}.`, s, key.user);
    }
    return {
      index, keyid: signed.keyid, ok: true, code: null, user: key.user, statement: s,
      explanation: `Signed by ${key.user ?? 'an unbound key'} at ${s.time}: ${s.decision} ${s.subject}${s.reason ? ` ("${s.reason}")` : ''}.`,
    };
  });
}
