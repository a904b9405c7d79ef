/** The tRPC endpoint: same-origin check, then the app router with the session's context (server/api/http.ts). */
import { trpcRoute } from '@/server/api/route-handlers';

export { trpcRoute as GET, trpcRoute as POST };
export const dynamic = 'force-dynamic';
