/** GET /api/audit/export?format=jsonl|csv: the audit log as a download (server/api/audit-http.ts). */
import { auditExportRoute } from '@/server/api/route-handlers';

export function GET(request: Request) {
  return auditExportRoute(request);
}

export const dynamic = 'force-dynamic';
