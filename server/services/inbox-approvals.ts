/**
 * The governor's approvals port, answered by the Agent Inbox. A module version is approved when an
 * approved submission with exactly its wasm and manifest digests still meets the quorum of the
 * policy in force, evaluated again now: a revoked approver key, an approval past its time to live
 * or a new policy revision stops it at once. The answer names the approvals it rests on.
 */
import type { Approvals, ApprovalStatus, StoredModule } from '../core/run';
import type { TPolicy } from '../core/guardian/schema';
import { sha256Hex } from '../core/crypto/digest';
import type { InboxService } from './inbox';

export function inboxApprovals(inbox: InboxService): Approvals {
  return {
    check(module: StoredModule, context: { readonly policy: TPolicy }): ApprovalStatus {
      const candidates = inbox.approvedFor(module.wasmSha256, module.manifestSha256);
      if (candidates.length === 0) {
        return { approved: false, source: 'inbox', detail: 'No approved inbox submission has these exact wasm and manifest digests.' };
      }
      let lastDetail = '';
      for (const submission of candidates) {
        const quorum = inbox.evaluate(submission, context.policy);
        if (quorum.state === 'met') {
          return {
            approved: true,
            source: 'inbox',
            detail: `Submission ${submission.id}: ${quorum.detail}`,
            restsOn: quorum.counted.map((c) => ({
              subject: c.statement.subject,
              keyid: c.keyid,
              approver: c.person.username,
              time: c.statement.time,
              statementSha256: sha256Hex(c.canonical),
            })),
          };
        }
        const why = [...new Set(quorum.refused.map((r) => r.message))].join(' ');
        lastDetail = `Submission ${submission.id} was approved but no longer meets the quorum: ${quorum.detail}${why ? ` ${why}` : ''}`;
      }
      return { approved: false, source: 'inbox', detail: lastDetail };
    },
  };
}
