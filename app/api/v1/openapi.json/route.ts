/** GET /api/v1/openapi.json: the OpenAPI document of the agent API (server/api/openapi.ts). */
import { openApiRoute } from '@/server/api/route-handlers';

export function GET() {
  return openApiRoute();
}

export const dynamic = 'force-dynamic';
