/** GET /metrics: Prometheus text exposition behind NIGHTCORE_METRICS_TOKEN (server/api/metrics-http.ts). */
import { metricsRoute } from '@/server/api/route-handlers';

export function GET(request: Request) {
  return metricsRoute(request);
}

export const dynamic = 'force-dynamic';
