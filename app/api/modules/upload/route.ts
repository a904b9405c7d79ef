/** Module upload (multipart): session, permission and same-origin checks, then the registry's own verification. */
import { handleUploadRequest } from '@/server/api/upload-http';
import { getSessionUser } from '@/server/auth/session';
import { getServices } from '@/server/services/instance';

export async function POST(request: Request): Promise<Response> {
  return handleUploadRequest(request, { user: await getSessionUser(), services: getServices });
}

export const dynamic = 'force-dynamic';
