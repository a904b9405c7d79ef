/** GET /api/audit/export?format=jsonl|csv: the audit log as a download (server/api/audit-http.ts). */
import { handleAuditExport } from '@/server/api/audit-http';
import { getSessionUser } from '@/server/auth/session';
import { getServices } from '@/server/services/instance';

export function GET(request: Request) {
  return handleAuditExport(request, { user: getSessionUser, services: getServices });
}

export const dynamic = 'force-dynamic';
