/** The console's API: one router per domain. Add a router here and its procedures to ./permissions.ts. */
import { createCallerFactory, createTRPCRouter } from './trpc';
import { modulesRouter } from './routers/modules';
import { runsRouter } from './routers/runs';
import { usersRouter } from './routers/users';
import { auditRouter } from './routers/audit';
import { keysRouter } from './routers/keys';
import { watchtowerRouter } from './routers/watchtower';
import { quarantineRouter } from './routers/quarantine';
import { policiesRouter } from './routers/policies';
import { inboxRouter } from './routers/inbox';
import { deliveryRouter } from './routers/delivery';
import { licenseRouter } from './routers/license';
import { simulationRouter } from './routers/simulation';

export const appRouter = createTRPCRouter({
  modules: modulesRouter,
  runs: runsRouter,
  users: usersRouter,
  audit: auditRouter,
  keys: keysRouter,
  watchtower: watchtowerRouter,
  quarantine: quarantineRouter,
  policies: policiesRouter,
  inbox: inboxRouter,
  delivery: deliveryRouter,
  license: licenseRouter,
  simulation: simulationRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
