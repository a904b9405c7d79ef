/** The console's API: one router per domain. Add a router here and its procedures to ./permissions.ts. */
import { createCallerFactory, createTRPCRouter } from './trpc';
import { usersRouter } from './routers/users';

export const appRouter = createTRPCRouter({
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
