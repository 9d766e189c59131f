import type { Genesis } from '../../node/home/genesis-file.js';
import type { Chain } from '../../node/ledger/chain.js';
import type { BlockSource } from './projector.js';

/**
 * A stopped node's chain as a block source: what `lendnet reindex` and `audit` read, with no
 * node running. It never grows, so subscribers are never called.
 */
export function chainSource(chain: Chain, genesis: Genesis): BlockSource {
  return {
    chainId: genesis.market.params.chainId,
    genesis,
    status: () => chain.head(),
    block: (height) => chain.block(height),
    commitOf: (height) => chain.commitOf(height),
    eventsOf: (height) => chain.eventsOf(height),
    subscribe: () => () => {},
  };
}
