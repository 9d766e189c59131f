'use client';

import { useQuery } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { useTRPC } from '../lib/trpc';

/** One order (market.order), read again as blocks are indexed while it is on screen; `missing` when no order has the id. */
export function useOrder(orderId: number) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.market.order.queryOptions({ id: orderId }), enabled: orderId > 0, retry: (count, error) => !isNotFound(error) && count < 2 });
  return { ...query, missing: orderId <= 0 || (query.isError && isNotFound(query.error)) };
}

function isNotFound(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === 'NOT_FOUND';
}

/** Why an order that is no longer open cannot be taken or funded, in words. */
export const CLOSED_WORDS = { filled: 'has been taken in full', cancelled: 'was cancelled by its owner', expired: 'has expired', accepted: 'was accepted by its borrower' } as const;
