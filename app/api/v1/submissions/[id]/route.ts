/** GET /api/v1/submissions/:id: an agent reads the state of its submission (server/api/submissions-http.ts). */
import { submissionRoute } from '@/server/api/route-handlers';

export function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  return submissionRoute(request, context);
}

export const dynamic = 'force-dynamic';
