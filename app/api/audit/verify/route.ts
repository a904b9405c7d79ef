/** POST /api/audit/verify: re-verifies the audit chain, streaming NDJSON progress (server/api/audit-http.ts). */
import { auditVerifyRoute } from '@/server/api/route-handlers';

export function POST(request: Request) {
  return auditVerifyRoute(request);
}

export const dynamic = 'force-dynamic';
