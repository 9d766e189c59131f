'use client';

import { type Query, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { useTRPCClient } from './trpc';

/**
 * Live updates. One subscription to the index's new blocks (chain.onBlock, server-sent events)
 * serves every page: each indexed block marks what is on screen as stale, and react-query reads
 * it again while the page keeps showing the previous answer, so nothing jumps. Blocks may come
 * ten times a second; the page is read again at most every REFRESH_GAP_MS. While the stream is
 * down (the node restarting, a proxy cutting it), the same refresh runs on a timer instead, and
 * the stream reconnects by itself, resuming after the last block it saw.
 */

/** The least time between two refreshes caused by new blocks. */
const REFRESH_GAP_MS = 500;
/** How often pages are read again while the stream is down. */
const FALLBACK_EVERY_MS = 3_000;

/** Answers that never change once they exist: a committed block and its proofs. */
const SETTLED_PATHS = new Set(['chain.block', 'chain.tx', 'audit.txInclusion', 'audit.commit', 'audit.stateProof']);

/** The procedure a tRPC query key names ("chain.head"), or undefined for other queries. */
function procedureOf(query: Query): string | undefined {
  const [path] = query.queryKey;
  return Array.isArray(path) && path.every((part) => typeof part === 'string') ? path.join('.') : undefined;
}

/**
 * Whether a new block should refresh this query: not when a component asked to hold it still
 * (`meta: { live: false }`, a paused listing), and not for settled answers already read. A settled
 * one not found yet (a block still to come) is asked again.
 */
export function refreshesOnBlock(query: Query): boolean {
  if (query.meta?.live === false) return false;
  const path = procedureOf(query);
  return !(path !== undefined && SETTLED_PATHS.has(path) && query.state.data !== undefined);
}

export interface LiveState {
  /** Whether the stream of new blocks is open. */
  readonly connected: boolean;
  /** The last block the stream announced. */
  readonly height?: number;
}

const LiveContext = createContext<LiveState>({ connected: false });

/** Whether pages are live, and the last indexed block. */
export function useLive(): LiveState {
  return useContext(LiveContext);
}

export function LiveUpdates({ children }: { readonly children: ReactNode }) {
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>({ connected: false });

  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      timer = undefined;
      last = Date.now();
      void queryClient.invalidateQueries({ predicate: refreshesOnBlock, refetchType: 'active' });
    };
    const onBlock = () => {
      if (timer === undefined) timer = setTimeout(refresh, Math.max(0, last + REFRESH_GAP_MS - Date.now()));
    };
    let fallback: ReturnType<typeof setInterval> | undefined = setInterval(refresh, FALLBACK_EVERY_MS);
    const setConnected = (connected: boolean) => {
      if (connected && fallback !== undefined) {
        clearInterval(fallback);
        fallback = undefined;
      } else if (!connected && fallback === undefined) {
        fallback = setInterval(refresh, FALLBACK_EVERY_MS);
      }
      setState((previous) => (previous.connected === connected ? previous : { ...previous, connected }));
    };
    const subscription = client.chain.onBlock.subscribe(undefined, {
      onData: (envelope) => {
        setConnected(true);
        setState((previous) => ({ ...previous, height: envelope.data.height }));
        onBlock();
      },
      onConnectionStateChange: (connection) => setConnected(connection.state === 'pending'),
      onError: () => setConnected(false),
    });
    return () => {
      subscription.unsubscribe();
      clearInterval(fallback);
      clearTimeout(timer);
    };
  }, [client, queryClient]);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}
