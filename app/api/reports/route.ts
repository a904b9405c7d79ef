/** GET /api/reports?from=&to=&format=html|pdf: a signed compliance report as a .zip (server/api/reports-http.ts). */
import { reportRoute } from '@/server/api/route-handlers';

export function GET(request: Request) {
  return reportRoute(request);
}

export const dynamic = 'force-dynamic';
