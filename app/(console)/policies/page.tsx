import { requirePageUser } from '@/server/auth/session';
import { can } from '@/server/core/access/rbac';
import { createCaller } from '@/server/api/root';
import { getServices } from '@/server/services/instance';
import { ErrorState } from '@/components/ui/error-state';
import { PolicyView } from '@/components/policies/policy-view';

export const metadata = { title: 'Policies' };

/** The active Guardian policy, read-only. Changing it means editing the policy file (and bumping its revision). */
export default async function PoliciesPage() {
  const user = await requirePageUser('/policies');
  const allowed = can(user.role, 'policies.read');
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <div>
        <h1 className="text-2xl font-semibold text-slate-50" data-testid="page-title">
          Policies
        </h1>
        <p className="mt-1 text-sm text-slate-400">The Guardian Lock policy every run is judged by right now.</p>
      </div>
      {allowed ? (
        <PolicyView active={await createCaller({ user, services: getServices() }).policies.active()} />
      ) : (
        <ErrorState title="Not available for your role" message="Reading policies needs the policies.read permission. Ask an admin." />
      )}
    </div>
  );
}
