/** POST /api/audit/verify: re-verifies the audit chain, streaming NDJSON progress (server/api/audit-http.ts). */
import { handleAuditVerify } from '@/server/api/audit-http';
import { getSessionUser } from '@/server/auth/session';
import { getServices } from '@/server/services/instance';

export function POST(request: Request) {
  return handleAuditVerify(request, { user: getSessionUser, services: getServices });
}

export const dynamic = 'force-dynamic';
