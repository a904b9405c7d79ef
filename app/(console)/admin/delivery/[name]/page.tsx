import Link from 'next/link';
import { pageAccess } from '@/server/api/server-caller';
import { AttemptsList } from '@/components/delivery/attempts-list';
import { Card } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'Delivery log' };

/** One destination's delivery log (the newest 200 attempts). */
export default async function DeliveryLogPage({ params }: { readonly params: Promise<{ name: string }> }) {
  const { name } = await params;
  const { user, allows } = await pageAccess(`/admin/delivery/${encodeURIComponent(name)}`);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title={`Delivery log: ${name}`} description="Every attempt to send a batch: which events, which try, what the destination answered, how long it took." />
      {allows('delivery.manage') ? (
        <Card title="Attempts, newest first">
          <AttemptsList name={name} limit={200} />
        </Card>
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot manage delivery. Ask an admin.`} />
      )}
      <Link href="/admin/delivery" className="text-sm text-indigo-300 underline">
        Back to Delivery
      </Link>
    </div>
  );
}
