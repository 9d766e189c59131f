/**
 * What the HTTP host reads of the ledger node and of the index: the parts of `LedgerNode` and
 * `Projector` that health and metrics need, so that each can be tested with a stand-in.
 */
export interface NodeView {
  readonly chainId: string;
  status(): { readonly height: number; readonly time: number; readonly mempoolSize: number };
  /** On a network: this node's role and the peers connected; undefined on a single-validator devnet. */
  networkStatus(): { readonly role: 'validator' | 'observer'; readonly peers: number } | undefined;
  subscribe(listener: (block: { readonly height: number; readonly txIds: readonly string[] }) => void): () => void;
}

export interface IndexView {
  /** The last height whose block the index holds. */
  indexedHeight(): number;
  /** How many committed blocks the index has still to apply. */
  lag(): number;
  /** The error that stopped the index from following the chain, if one did. */
  failed(): unknown;
}
