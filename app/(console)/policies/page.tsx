import { pageAccess } from '@/server/api/server-caller';
import { ErrorState } from '@/components/ui/error-state';
import { PageHeader } from '@/components/ui/page-header';
import { PolicyView } from '@/components/policies/policy-view';
import { SimulationPanel } from '@/components/policies/simulation-panel';
import { RecommendationsPanel } from '@/components/policies/recommendations-panel';
import type { TActivePolicy } from '@/server/api/routers/policies';

export const metadata = { title: 'Policies' };

/** The active Guardian policy, read-only. Changing it means editing the policy file (and bumping its revision). */
export default async function PoliciesPage() {
  const { user, allows, api } = await pageAccess('/policies');
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <PageHeader title="Policies" description="The Guardian Lock policy every run is judged by right now." />
      {allows('policies.read') ? (
        <PoliciesBody active={await api.policies.active()} />
      ) : (
        <ErrorState title="Not available for your role" message={`Your role (${user.role}) cannot read policies (policies.read). Ask an admin.`} />
      )}
    </div>
  );
}

function PoliciesBody({ active }: { readonly active: TActivePolicy }) {
  return (
    <>
      <PolicyView active={active} />
      <SimulationPanel initialPolicy={JSON.stringify(active.policy, null, 2)} />
      <RecommendationsPanel />
    </>
  );
}
