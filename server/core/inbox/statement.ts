/**
 * The approval statement: what an approver signs. It binds one decision to one submission, one
 * wasm digest, one manifest digest and one policy revision, so a signature cannot be moved onto
 * anything else. Signed bytes are the DSSE pre-authentication encoding of the canonical (RFC 8785)
 * statement with its own payload type, so an approval can never be confused with a signed
 * manifest. The format is specified in docs/approvals.md for offline verification.
 */
import { z } from 'zod';
import { canonicalJson } from '../module/canonical';
import { describeIssues } from '../module/manifest';
import { encodeBase64, KEYID_RE } from '../crypto/keys';
import { signEd25519 } from '../crypto/ed25519';
import { openSignedJson, signedJsonBytes } from '../crypto/signed-json';
import { err, ok, type Result } from '../result';

export const APPROVAL_FORMAT = 'nightcore.approval/v1';
export const APPROVAL_PAYLOAD_TYPE = 'application/vnd.nightcore.approval.v1+json';
/** approve / reject decide a submission; release decides a quarantine entry (and nothing else). */
export const DECISIONS = ['approve', 'reject', 'release'] as const;
export type Decision = (typeof DECISIONS)[number];
export const MAX_REASON_CHARS = 2000;

const HEX64 = /^[0-9a-f]{64}$/;
/** ISO 8601 UTC with milliseconds, as Date.prototype.toISOString writes it: one text per instant. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const ZApprovalStatementSchema = z.strictObject({
  format: z.literal(APPROVAL_FORMAT),
  /** What is decided: `submission:<uuid>` or `quarantine:<id>`. */
  subject: z.string().regex(/^(submission|quarantine|policy):[0-9a-z-]{1,64}$/, 'must be submission:<id>, quarantine:<id> or policy:<proposal id>'),
  wasmSha256: z.string().regex(HEX64, 'must be 64 lower-case hex digits'),
  manifestSha256: z.string().regex(HEX64, 'must be 64 lower-case hex digits'),
  policy: z.strictObject({ name: z.string().min(1).max(64), revision: z.number().int().positive() }),
  decision: z.enum(DECISIONS),
  reason: z.string().max(MAX_REASON_CHARS),
  time: z.string().regex(ISO_MS, 'must be ISO 8601 UTC with milliseconds').refine((t) => new Date(t).toISOString() === t, 'must be a real instant'),
}).superRefine((s, ctx) => {
  // A release signature must never count as a submission approval, nor the reverse.
  const quarantine = s.subject.startsWith('quarantine:');
  if (quarantine !== (s.decision === 'release')) {
    ctx.addIssue({ code: 'custom', path: ['decision'], message: quarantine ? 'a quarantine entry is decided with "release"' : 'a submission is decided with "approve" or "reject"' });
  }
});
export type TApprovalStatement = z.infer<typeof ZApprovalStatementSchema>;

/** A statement as carried: the canonical payload, the key that signed it and the signature (both base64). */
export const ZSignedApprovalSchema = z.strictObject({
  payload: z.string().min(1).max(8192),
  keyid: z.string().regex(KEYID_RE, 'must be 64 lower-case hex digits'),
  sig: z.string().min(1).max(128),
});
export type TSignedApproval = z.infer<typeof ZSignedApprovalSchema>;

export type StatementCode = 'STATEMENT_INVALID' | 'SIGNATURE_INVALID';

/** The exact bytes an approver's key signs. */
export function signingBytes(canonical: string): Uint8Array {
  return signedJsonBytes(APPROVAL_PAYLOAD_TYPE, canonical);
}

/** Validates a statement and returns its canonical text (every bad field named). */
export function canonicalStatement(value: unknown): Result<string, 'STATEMENT_INVALID'> {
  const parsed = ZApprovalStatementSchema.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return err('STATEMENT_INVALID', `The approval statement has ${issues.length} problem(s): ${issues.join('; ')}`, issues);
  }
  const text = canonicalJson(parsed.data);
  if (!text.ok) return err('STATEMENT_INVALID', text.message);
  return ok(text.value);
}

/** Signs a statement (the CLI and tests; the console signs the same bytes in the browser). */
export function signStatement(statement: TApprovalStatement, seed: Uint8Array, keyid: string): Result<TSignedApproval, 'STATEMENT_INVALID'> {
  const canonical = canonicalStatement(statement);
  if (!canonical.ok) return canonical;
  const sig = signEd25519(seed, signingBytes(canonical.value));
  return ok({ payload: encodeBase64(new TextEncoder().encode(canonical.value)), keyid, sig: encodeBase64(sig) });
}

export interface OpenedStatement {
  readonly statement: TApprovalStatement;
  readonly canonical: string;
  readonly keyid: string;
}

/**
 * Checks the signature with the given public key (the caller found it in the trust store by
 * keyid) and parses the statement. The payload must already be canonical: a statement that only
 * re-canonicalises to the signed bytes would give one approval two texts.
 */
export function openStatement(signed: TSignedApproval, publicKey: Uint8Array): Result<OpenedStatement, StatementCode> {
  const shape = ZSignedApprovalSchema.safeParse(signed);
  if (!shape.success) return err('STATEMENT_INVALID', 'The signed approval is malformed.', describeIssues(shape.error));
  const opened = openSignedJson(signed, APPROVAL_PAYLOAD_TYPE, publicKey);
  if (!opened.ok) {
    if (opened.code === 'BAD_SIGNATURE') return err('SIGNATURE_INVALID', `The signature does not verify with key ${signed.keyid}.`);
    return err('STATEMENT_INVALID', opened.message);
  }
  const { text: canonical, value } = opened.value;
  const again = canonicalStatement(value);
  if (!again.ok) return again;
  if (again.value !== canonical) return err('STATEMENT_INVALID', 'The signed payload is not in canonical (RFC 8785) form.');
  return ok({ statement: ZApprovalStatementSchema.parse(value), canonical, keyid: signed.keyid });
}
