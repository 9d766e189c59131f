import {
  type Block,
  blockHash,
  bodyDecoder,
  type CommitCertificate,
  decodeBlock,
  decodeCommit,
  decodeRecord,
  decodeTransaction,
  encodeBlock,
  encodeCommit,
  encodeRecord,
  fromHex,
  GENESIS_PREVIOUS_HASH,
  genesisState,
  MarketState,
  type SignedTransaction,
  toHex,
  txRoot,
  utf8,
  validatorsHash,
} from '../../contracts/index.js';
import { absorbBlock, type ExecutedBlock, type PendingBlock, proposeBlock } from '../chain/execute.js';
import type { Genesis } from '../home/genesis-file.js';
import { encodedChanges, SparseMerkleTree } from '../state/sparse-merkle-tree.js';
import type { Store } from '../store/index.js';

/** The store and the state disagree: the node must not go on from here. */
export class ChainCorruptError extends Error {
  override readonly name = 'ChainCorruptError';
}

export interface ChainHead {
  readonly height: number;
  readonly hash: string;
  readonly time: number;
  readonly stateRoot: string;
}

/** A block built on the live state and not yet committed. */
export interface Proposal {
  readonly block: Block;
  readonly executed: ExecutedBlock;
  /** The block's state changes as stored and as the state tree hashes them: canonical bytes, or undefined for a removal. */
  readonly encodedChanges: ReadonlyMap<string, Uint8Array | undefined>;
  readonly refused: ReturnType<typeof proposeBlock>['refused'];
}

/**
 * The committed chain as one node holds it: the market state and its Merkle tree in memory,
 * the blocks, commits and state durably in the store. Opening it loads the state the store
 * holds and checks its root against the last header, so a node never runs on a state that
 * differs from its blocks.
 */
export class Chain {
  private lastCommit: CommitCertificate | undefined;

  private constructor(
    readonly genesis: Genesis,
    readonly state: MarketState,
    private readonly tree: SparseMerkleTree,
    private readonly store: Store,
    private current: ChainHead,
  ) {}

  static async open(store: Store, genesis: Genesis): Promise<Chain> {
    const head = await store.head();
    if (!head) {
      const state = genesisState(genesis.market);
      state.takeChanges();
      const tree = SparseMerkleTree.fromEntries(state.entries().map(([key, value]) => [key, utf8(encodeRecord(value))] as const));
      return new Chain(genesis, state, tree, store, { height: 0, hash: GENESIS_PREVIOUS_HASH, time: genesis.genesisTime, stateRoot: tree.rootHex() });
    }
    const records: [string, Uint8Array][] = [];
    for await (const [key, bytes] of store.iterateState()) records.push([key, bytes]);
    const state = MarketState.fromRecords(records.map(([key, bytes]) => [key, decodeRecord(key, bytes)] as const));
    const tree = SparseMerkleTree.fromEntries(records, records.length);
    const blockBytes = await store.getBlock(head.height);
    if (!blockBytes) throw new ChainCorruptError(`the store's head ${head.height} has no block`);
    const { header } = decodeBlock(blockBytes);
    if (header.stateRoot !== tree.rootHex()) {
      throw new ChainCorruptError(`the stored state's root ${tree.rootHex()} differs from block ${head.height}'s ${header.stateRoot}`);
    }
    const chain = new Chain(genesis, state, tree, store, { height: head.height, hash: toHex(head.hash), time: header.time, stateRoot: header.stateRoot });
    const commitBytes = await store.getCommit(head.height);
    chain.lastCommit = commitBytes ? decodeCommit(commitBytes) : undefined;
    return chain;
  }

  head(): ChainHead {
    return this.current;
  }

  /**
   * Builds the next block at `time` from candidate transactions, executing it on the live
   * state. The single-validator engine always commits what it proposes; a node that could
   * drop a proposal needs a copy of the state instead (the BFT engine's concern).
   */
  propose(time: number, candidates: readonly SignedTransaction<unknown>[], proposer: string): Proposal {
    const { refused, ...executed } = proposeBlock(this.state, { height: this.current.height + 1, time }, candidates);
    return this.proposal(time, executed, refused, proposer);
  }

  /**
   * Builds the next block at `time` from transactions already applied, at this block's height
   * and time, on a fork of the live state (the mempool's pending state), by taking in the
   * fork's writes instead of executing them again. The same block `propose` would make of
   * those transactions.
   */
  proposeApplied(time: number, pending: PendingBlock, proposer: string): Proposal {
    return this.proposal(time, absorbBlock(this.state, { height: this.current.height + 1, time }, pending), [], proposer);
  }

  private proposal(time: number, executed: ExecutedBlock, refused: Proposal['refused'], proposer: string): Proposal {
    const height = this.current.height + 1;
    const changes = encodedChanges(executed.changes);
    const stateRoot = toHex(this.tree.applyChanges(changes));
    const block: Block = {
      header: {
        chainId: this.genesis.market.params.chainId,
        height,
        time,
        previousHash: this.current.hash,
        txRoot: toHex(txRoot(executed.included.map((tx) => tx.id))),
        stateRoot,
        validatorsHash: validatorsHash(this.genesis.validators),
        proposer,
      },
      txs: executed.included.map((tx) => tx.encoded),
      ...(this.lastCommit ? { lastCommit: this.lastCommit } : {}),
    };
    return { block, executed, refused, encodedChanges: changes };
  }

  /** Stores a proposal with its certificate in one atomic, durable write. */
  async commit(proposal: Proposal, certificate: CommitCertificate): Promise<void> {
    const { block, executed } = proposal;
    const hash = blockHash(block.header);
    // The first block also stores the genesis records, so the store alone can restart the node.
    const changes =
      block.header.height === 1 ? new Map(this.state.entries().map(([key, value]) => [key, utf8(encodeRecord(value))] as const)) : proposal.encodedChanges;
    await this.store.commitBlock({
      height: block.header.height,
      hash: fromHex(hash),
      block: utf8(encodeBlock(block)),
      commit: utf8(encodeCommit(certificate)),
      txs: executed.included.map((tx, index) => [tx.id, { height: block.header.height, index }] as const),
      stateChanges: changes,
    });
    this.current = { height: block.header.height, hash, time: block.header.time, stateRoot: block.header.stateRoot };
    this.lastCommit = certificate;
  }

  /** A committed block, or undefined above the head. */
  async block(height: number): Promise<Block | undefined> {
    const bytes = await this.store.getBlock(height);
    return bytes ? decodeBlock(bytes) : undefined;
  }

  async commitOf(height: number): Promise<CommitCertificate | undefined> {
    const bytes = await this.store.getCommit(height);
    return bytes ? decodeCommit(bytes) : undefined;
  }

  /** A committed transaction with its block, or undefined. */
  async transaction(id: string): Promise<{ readonly block: Block; readonly index: number; readonly tx: SignedTransaction<unknown> } | undefined> {
    const location = await this.store.getTx(id);
    if (!location) return undefined;
    const block = await this.block(location.height);
    const wire = block?.txs[location.index];
    if (!block || wire === undefined) throw new ChainCorruptError(`tx ${id} is indexed at ${location.height}:${location.index}, which holds nothing`);
    return { block, index: location.index, tx: decodeTransaction(wire, { bodyOf: bodyDecoder }) };
  }

  proveState(key: string) {
    return this.tree.prove(key);
  }
}
