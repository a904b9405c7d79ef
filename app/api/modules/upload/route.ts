/** Module upload (multipart): the shared route guard, then the registry's own verification (server/api/upload-http.ts). */
import { uploadRoute } from '@/server/api/route-handlers';

export function POST(request: Request) {
  return uploadRoute(request);
}

export const dynamic = 'force-dynamic';
