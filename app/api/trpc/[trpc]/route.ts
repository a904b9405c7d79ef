/** The tRPC endpoint: same-origin check, then the app router with the session's context. */
import { handleTRPCRequest } from '@/server/api/http';
import { createContext } from '@/server/api/context';

const handler = (request: Request) => handleTRPCRequest(request, createContext);

export { handler as GET, handler as POST };
export const dynamic = 'force-dynamic';
