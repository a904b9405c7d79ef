import { notFound } from 'next/navigation';
import { pageAccess } from '@/server/api/server-caller';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { Card } from '@/components/ui/card';
import { ReviewEvidence } from '@/components/inbox/review';
import { DecisionPanel } from '@/components/inbox/decision-panel';

export const metadata = { title: 'Review submission' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One submission with all its evidence, and (for approvers) the signing panel. */
export default async function ReviewPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { user, allows, api } = await pageAccess(`/inbox/${encodeURIComponent(id)}`);
  if (!allows('inbox.read')) {
    return <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot read the inbox (inbox.read). Ask an admin.`} />;
  }
  if (!UUID.test(id)) notFound();
  const review = await api.inbox.review({ id }).catch(() => null);
  if (!review) notFound();
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <PageHeader title="Review submission" description="Everything you need to decide, on one page. Your decision is signed in this browser with your approval key." />
      <ReviewEvidence review={review} />
      {allows('inbox.decide') ? (
        <Card title="Your decision" description={review.you.why ?? undefined}>
          {review.you.mayDecide || review.you.why === 'Register your approval key first.' ? (
            <DecisionPanel id={review.submission.id} username={user.username} fields={review.statement} registered={review.you.keyids} />
          ) : null}
        </Card>
      ) : null}
    </div>
  );
}
