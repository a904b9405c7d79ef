/** POST /api/v1/submissions: an agent submits a module for approval (server/api/submissions-http.ts). */
import { submitRoute } from '@/server/api/route-handlers';

export function POST(request: Request) {
  return submitRoute(request);
}

export const dynamic = 'force-dynamic';
