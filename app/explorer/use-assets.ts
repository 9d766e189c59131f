'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from '../lib/trpc';
import type { AssetInfo } from '../wallet/describe';

const NO_ASSETS: ReadonlyMap<string, AssetInfo> = new Map();

/** The chain's assets by id, to show amounts in their units; empty until read (amounts then show in minor units). */
export function useAssets(): ReadonlyMap<string, AssetInfo> {
  const trpc = useTRPC();
  const assets = useQuery({ ...trpc.chain.assets.queryOptions(), staleTime: 60_000 });
  return useMemo(() => (assets.data ? new Map(assets.data.map((asset) => [asset.id, asset])) : NO_ASSETS), [assets.data]);
}
