/**
 * What needs someone now, derived from the summary: quarantine above zero, an audit chain that is
 * not verified (never, broken, or unreadable), and pending approvals. Pure, so it is table-tested.
 */
import type { TWatchtowerSummary } from '@/server/api/routers/watchtower';

export interface AttentionItem {
  readonly id: 'quarantine' | 'chain' | 'approvals';
  readonly tone: 'bad' | 'warn';
  readonly text: string;
  readonly href: string;
  readonly action: string;
}

const n = (count: number, one: string, many: string) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

/** Agent Inbox submissions waiting for a decision (the summary counts pending, unexpired ones). */
export function pendingApprovalsAttention(summary: Pick<TWatchtowerSummary, 'inboxAvailable' | 'pendingInbox'>): AttentionItem | null {
  if (!summary.inboxAvailable || summary.pendingInbox === 0) return null;
  return {
    id: 'approvals',
    tone: 'warn',
    text: `${n(summary.pendingInbox, 'approval is', 'approvals are')} waiting for a decision.`,
    href: '/inbox',
    action: 'Open the inbox',
  };
}

export function attentionItems(summary: Pick<TWatchtowerSummary, 'quarantinedActive' | 'audit' | 'inboxAvailable' | 'pendingInbox'>): AttentionItem[] {
  const items: AttentionItem[] = [];
  if (summary.quarantinedActive > 0) {
    items.push({
      id: 'quarantine',
      tone: 'bad',
      text: `${n(summary.quarantinedActive, 'module version is', 'module versions are')} in quarantine.`,
      href: '/quarantine',
      action: 'See why',
    });
  }
  const v = summary.audit.lastVerification;
  if (!v || v.ok !== true) {
    items.push({
      id: 'chain',
      tone: v?.ok === false ? 'bad' : 'warn',
      text: !v
        ? 'The audit chain has not been verified yet.'
        : v.ok === false
          ? `The audit chain failed verification${v.code ? ` (${v.code})` : ''}.`
          : 'The last audit chain verification could not be read.',
      href: '/audit',
      action: 'Verify the chain',
    });
  }
  const approvals = pendingApprovalsAttention(summary);
  if (approvals) items.push(approvals);
  return items;
}
