/** The tRPC context for a request: the session user (re-read from the database) and the services. */
import { getSessionUser } from '../auth/session';
import { getServices } from '../services/instance';
import type { Context } from './trpc';

export async function createContext(): Promise<Context> {
  return { user: await getSessionUser(), services: getServices() };
}
