'use client';
/**
 * Client-side data layer: one TanStack Query client per browser tab and a tRPC client bound to
 * /api/trpc. Pages use `const trpc = useTRPC()` then `useQuery(trpc.users.list.queryOptions())`
 * or `useMutation(trpc.users.create.mutationOptions())`.
 */
import { useState, type ReactNode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '@/server/api/root';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** The error code to show or branch on: the domain code (e.g. USER_EXISTS) or the tRPC code. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
}

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // A 4xx (signed out, forbidden, bad input) will not get better by asking again.
        retry: (failures, error) => {
          const status = error instanceof TRPCClientError ? (error.data as { httpStatus?: number } | undefined)?.httpStatus : undefined;
          return status !== undefined && status < 500 ? false : failures < 2;
        },
      },
      // TanStack Query's default ('online') PAUSES a mutation while offline and sends it when the
      // connection returns: a Run pressed offline would execute later without the user knowing.
      // 'always' sends at once and fails at once; the UI says it was not sent.
      mutations: { networkMode: 'always', retry: false },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      // Same origin only: mutations are POSTed as JSON, which the server's CSRF check requires.
      links: [httpBatchLink({ url: '/api/trpc' })],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
