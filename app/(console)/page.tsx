import { getServices } from '@/server/services/instance';

export const metadata = { title: 'Watchtower' };

export default function WatchtowerPage() {
  const services = getServices();
  const head = services.audit.head();
  return (
    <div>
      <h1 className="text-2xl font-semibold">Watchtower</h1>
      <p className="mt-1 text-slate-400">Audit events: {head.seq}</p>
    </div>
  );
}
