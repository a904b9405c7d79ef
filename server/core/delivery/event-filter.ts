/**
 * Which audit events a webhook subscribes to, by category. SIEM sinks take every event; a webhook
 * names the categories people want to be told about (issue 10's "new submissions, decisions,
 * quarantines and releases", plus run decisions). The categories are a closed list: a typo is a
 * validation error, not a webhook that silently never fires.
 */
import type { AuditAction } from '../audit/event';

export const WEBHOOK_CATEGORIES = {
  submissions: ['submission.received'],
  decisions: ['submission.approved', 'submission.rejected', 'submission.expired', 'submission.withdrawn', 'approval.recorded', 'approval.refused'],
  quarantines: ['module.quarantined'],
  releases: ['module.released'],
  runs: ['run.decided'],
} as const satisfies Record<string, readonly AuditAction[]>;

export type WebhookCategory = keyof typeof WEBHOOK_CATEGORIES;
export const WEBHOOK_CATEGORY_NAMES = Object.keys(WEBHOOK_CATEGORIES) as WebhookCategory[];

export const isWebhookCategory = (value: unknown): value is WebhookCategory =>
  typeof value === 'string' && Object.hasOwn(WEBHOOK_CATEGORIES, value);

/** The category of an action, or undefined when no webhook category covers it. */
export function categoryOf(action: string): WebhookCategory | undefined {
  for (const name of WEBHOOK_CATEGORY_NAMES) {
    if ((WEBHOOK_CATEGORIES[name] as readonly string[]).includes(action)) return name;
  }
  return undefined;
}

/** A predicate over actions: every action when `categories` is undefined (SIEM sinks). */
export function eventFilter(categories: readonly WebhookCategory[] | undefined): (action: string) => boolean {
  if (categories === undefined) return () => true;
  const actions = new Set<string>(categories.flatMap((c) => WEBHOOK_CATEGORIES[c]));
  return (action) => actions.has(action);
}
