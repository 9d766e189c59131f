'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from '../lib/trpc';
import type { AssetInfo } from '../wallet/describe';

/** The chain's assets (chain.assets), by id, read once a minute: they change only at genesis. */
export function useMarketAssets(): { readonly assets: ReadonlyMap<string, AssetInfo>; readonly list: readonly AssetInfo[]; readonly isPending: boolean; readonly isError: boolean } {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.chain.assets.queryOptions(), staleTime: 60_000 });
  return useMemo(() => {
    const list = (query.data ?? []).map((a) => ({ id: a.id, name: a.name, decimals: a.decimals }));
    return { assets: new Map(list.map((a) => [a.id, a])), list, isPending: query.isPending, isError: query.isError };
  }, [query.data, query.isPending, query.isError]);
}

/** The asset a view starts on: the chain's dollar when it has one (most loans are in it), else its first asset. */
export function defaultLoanAsset(assets: readonly AssetInfo[]): string {
  return (assets.find((a) => a.id === 'USD') ?? assets[0])?.id ?? '';
}
