/**
 * Releasing a quarantined module is decided like a submission: the approval policy's quorum of
 * signed statements (decision `release`, a reason), one person counted once. The statement binds
 * the quarantine entry: `subject` is `quarantine:<id>`, `wasmSha256` the quarantined code, and
 * `manifestSha256` the entry digest below, which also pins when the entry began, so a release
 * signed for one entry cannot be replayed onto another entry (of this console or another one)
 * that happens to have the same id or the same code.
 */
import { canonicalJson } from '../module/canonical';
import { sha256Hex } from '../crypto/digest';
import type { ApprovalTarget } from './quorum';

export const QUARANTINE_ENTRY_FORMAT = 'nightcore.quarantine-entry/v1';

export interface QuarantineEntryFacts {
  readonly id: number;
  readonly wasmSha256: string;
  readonly since: Date;
}

/** SHA-256 of the canonical (RFC 8785) `{format, id, since, wasmSha256}`; `since` as ISO 8601 with milliseconds. */
export function quarantineEntryDigest(entry: QuarantineEntryFacts): string {
  const text = canonicalJson({ format: QUARANTINE_ENTRY_FORMAT, id: entry.id, since: entry.since.toISOString(), wasmSha256: entry.wasmSha256 });
  if (!text.ok) throw new Error(text.message); // plain strings and an integer always canonicalise
  return sha256Hex(text.value);
}

export const quarantineSubject = (id: number): string => `quarantine:${id}`;

export function releaseTarget(entry: QuarantineEntryFacts, policy: { readonly name: string; readonly revision: number }): ApprovalTarget {
  return {
    subject: quarantineSubject(entry.id),
    wasmSha256: entry.wasmSha256,
    manifestSha256: quarantineEntryDigest(entry),
    policy: { name: policy.name, revision: policy.revision },
  };
}
