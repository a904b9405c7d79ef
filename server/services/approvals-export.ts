/**
 * The evidence an auditor needs to verify approvals offline (`nightcore approvals verify --file`):
 * the subject's current digests and policy revision, its stored signed statements, and the public
 * keys that signed them from the trust store (with role, status and the user each is registered to).
 */
import { encodeBase64 } from '../core/crypto/keys';
import { APPROVALS_EXPORT_FORMAT, quarantineSubject, type TApprovalsExport } from '../core/inbox';
import { err, ok, type Result } from '../core/result';
import type { Services } from './index';

export function exportApprovals(s: Pick<Services, 'inbox' | 'releases' | 'quarantine' | 'trust' | 'policy'>, subject: string): Result<TApprovalsExport, 'SUBJECT_NOT_FOUND'> {
  const policy = s.policy.policy;
  let target: TApprovalsExport['target'] | undefined;
  const quarantineId = /^quarantine:(\d{1,12})$/.exec(subject)?.[1];
  if (quarantineId !== undefined) {
    const entry = s.quarantine.byId(Number(quarantineId));
    if (entry) target = s.releases.target(entry);
  } else {
    const id = subject.replace(/^submission:/, '');
    const sub = s.inbox.get(id);
    if (sub) target = { subject: `submission:${sub.id}`, wasmSha256: sub.wasmSha256, manifestSha256: sub.manifestSha256, policy: { name: policy.name, revision: policy.revision } };
  }
  if (!target) return err('SUBJECT_NOT_FOUND', `no submission or quarantine entry ${subject}`);
  const statements = s.inbox.statementsFor(quarantineId !== undefined ? quarantineSubject(Number(quarantineId)) : target.subject);
  const keys = [...new Set(statements.map((st) => st.keyid))].flatMap((keyid) => {
    const key = s.trust.lookup(keyid);
    if (!key) return [];
    const owner = s.inbox.deciderOfKey(keyid);
    return [{ keyid, publicKey: encodeBase64(key.publicKey), role: key.role, status: key.status, user: owner?.username ?? null }];
  });
  return ok({ format: APPROVALS_EXPORT_FORMAT, target, statements, keys });
}
