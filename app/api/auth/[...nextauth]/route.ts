/** Auth.js routes: /api/auth/csrf, /api/auth/callback/credentials, /api/auth/session, /api/auth/signout, ... */
import { handlers } from '@/server/auth';

export const { GET, POST } = handlers;
export const dynamic = 'force-dynamic';
