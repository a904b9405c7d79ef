import { pageAccess } from '@/server/api/server-caller';
import { AuditLogView } from '@/components/audit/audit-log-view';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata = { title: 'Audit log' };

/** The tamper-evident log: browse, verify, export. The API checks every permission again. */
export default async function AuditPage() {
  const { user, allows } = await pageAccess('/audit');
  return (
    <div className="flex min-w-0 flex-col gap-6">
      <PageHeader title="Audit log" description="Every decision and change, in order, hash-chained and signed at checkpoints." />
      {allows('audit.read') ? (
        <AuditLogView canExport={allows('audit.export')} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot read the audit log. Ask an admin if you need access.`} />
      )}
    </div>
  );
}
