'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { TRPCClientError, createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { ReactNode } from 'react';
import { useState } from 'react';
import type { AppRouter } from '../server/api/router';
import { LiveUpdates } from './lib/live';
import { TRPCProvider } from './lib/trpc';
import { WalletProvider } from './wallet/wallet-context';

/**
 * Where the API is: the origin that served the page (docs/api.md §1.1). Queries run in the
 * browser only (nothing is prefetched while rendering on the server), so a relative URL does.
 */
const API_PATH = '/api/trpc';

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // The chain moves every block: a second-old answer is fresh enough, an older one is read again.
        staleTime: 1_000,
        // A refusal or a 4xx will not change on retry; a network hiccup may.
        retry: (failures, error) => failures < 2 && !isClientError(error),
      },
    },
  });
}

function isClientError(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  return status !== undefined && status >= 400 && status < 500;
}

/** The API client, the query cache and the wallet, for every page. */
export function Providers({ children }: { readonly children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: httpSubscriptionLink({ url: API_PATH }),
          // At most 20 calls go in one batch (docs/api.md §6).
          false: httpBatchLink({ url: API_PATH, maxItems: 20 }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <LiveUpdates>
          <WalletProvider>{children}</WalletProvider>
        </LiveUpdates>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
