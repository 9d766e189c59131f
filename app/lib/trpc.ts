'use client';

import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../server/api/router';

/**
 * The API as React hooks: `useTRPC()` gives query and mutation options typed from the server's
 * router (`trpc.accounts.balances.queryOptions({ account })`), `useTRPCClient()` the raw client.
 * Only the router's type crosses into the browser.
 */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** What each procedure takes, typed from the server's router (docs/api.md §2). */
export type ApiInputs = inferRouterInputs<AppRouter>;
/** What each procedure answers, typed from the server's router: amounts as decimal strings. */
export type ApiOutputs = inferRouterOutputs<AppRouter>;
