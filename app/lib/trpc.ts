'use client';

import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../server/api/router';

/**
 * The API as React hooks: `useTRPC()` gives query and mutation options typed from the server's
 * router (`trpc.accounts.balances.queryOptions({ account })`), `useTRPCClient()` the raw client.
 * Only the router's type crosses into the browser.
 */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
