import { requirePageUser } from '@/server/auth/session';
import { can } from '@/server/auth/rbac';
import { AuditLogView } from '@/components/audit/audit-log-view';
import { ErrorState } from '@/components/ui/error-state';

export const metadata = { title: 'Audit log' };

/** The tamper-evident log: browse, verify, export. The API checks every permission again. */
export default async function AuditPage() {
  const user = await requirePageUser('/audit');
  return (
    <div className="flex min-w-0 flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold" data-testid="page-title">
          Audit log
        </h1>
        <p className="mt-1 text-slate-400">Every decision and change, in order, hash-chained and signed at checkpoints.</p>
      </div>
      {can(user.role, 'audit.read') ? (
        <AuditLogView canExport={can(user.role, 'audit.export')} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot read the audit log. Ask an admin if you need access.`} />
      )}
    </div>
  );
}
