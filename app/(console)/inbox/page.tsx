import Link from 'next/link';
import { pageAccess } from '@/server/api/server-caller';
import { ErrorState } from '@/components/ui/error-state';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Badge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import { STATE_TONE } from '@/components/inbox/review';

export const metadata = { title: 'Inbox' };

/** What agents submitted, newest first; pending items are the work. */
export default async function InboxPage() {
  const { user, allows, api } = await pageAccess('/inbox');
  if (!allows('inbox.read')) {
    return <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot read the inbox (inbox.read). Ask an admin.`} />;
  }
  const items = await api.inbox.list();
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <PageHeader title="Inbox" description="Modules agents submitted. Nothing here runs until the approval policy's quorum has signed it." />
      {items.length === 0 ? (
        <EmptyState title="Nothing submitted" description="Agents submit with POST /api/v1/submissions or nightcore submit." />
      ) : (
        <ul className="space-y-2" data-testid="inbox-list">
          {items.map((s) => (
            <li key={s.id} className="rounded-lg border border-slate-800 bg-slate-900/70 p-3">
              <Link href={`/inbox/${s.id}`} className="flex flex-col gap-1 sm:flex-row sm:items-center sm:justify-between">
                <span className="font-medium">
                  {s.name}@{s.version}
                </span>
                <span className="flex items-center gap-2 text-xs text-slate-400">
                  <Badge tone={STATE_TONE[s.state]}>{s.state}</Badge>
                  <Time iso={s.createdAt} />
                </span>
              </Link>
              <p className="mt-1 line-clamp-2 break-words text-sm text-slate-300">{s.purpose}</p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
