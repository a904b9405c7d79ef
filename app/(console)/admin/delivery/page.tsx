import { pageAccess } from '@/server/api/server-caller';
import { DeliveryView } from '@/components/delivery/delivery-view';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'Delivery' };

/** Webhooks and SIEM sinks: admins only (delivery.manage, checked again by every procedure). */
export default async function DeliveryPage() {
  const { user, allows } = await pageAccess('/admin/delivery');
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Delivery" description="Where audit events leave this machine: webhooks and SIEM sinks, how far behind each is, and what went wrong." />
      {allows('delivery.manage') ? (
        <DeliveryView />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot manage delivery. Ask an admin.`} />
      )}
    </div>
  );
}
