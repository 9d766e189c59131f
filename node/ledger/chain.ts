import {
  type Block,
  type BlockHeader,
  blockHash,
  checkCommit,
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
  type StateValue,
  toHex,
  txRoot,
  utf8,
  type Validator,
  type ValidatorSetChange,
  validatorsHash,
} from '../../contracts/index.js';
import { absorbBlock, type ExecutedBlock, InvalidBlockError, type PendingBlock, proposeBlock, replayBlock } from '../chain/execute.js';
import { type BlockEvents, blockEventsKey, decodeBlockEvents, encodeBlockEvents } from './block-events.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import type { Genesis } from '../home/genesis-file.js';
import { encodedChanges, SparseMerkleTree } from '../state/sparse-merkle-tree.js';
import type { Store } from '../store/index.js';
import { readSnapshotBase } from './snapshot-base.js';
import { decodeValidatorChanges, encodeValidatorChanges, VALIDATOR_CHANGES_KEY } from './validator-changes.js';
import { ValidatorSets } from './validator-sets.js';
import { ChainCorruptError, type EncodedBlock, type Evaluated, InvalidProposalError, type Proposal, type ChainHead, MAX_CLOCK_DRIFT_SECONDS } from './chain-types.js';

const ASCII = /^[\x00-\x7f]*$/;

export * from './chain-types.js';

/**
 * The committed chain as one node holds it: the market state and its Merkle tree in memory,
 * the blocks, commits and state durably in the store. Opening it loads the state the store
 * holds and checks its root against the last header, so a node never runs on a state that
 * differs from its blocks.
 */
export class Chain {
  private lastCommit: CommitCertificate | undefined;
  private lastHeader: BlockHeader | undefined;
  /** A block `evaluateCommitted` put into the tree and that is not yet committed or abandoned. */
  private replaying: Evaluated | undefined;
  private readonly validatorSets: ValidatorSets;

  private constructor(
    readonly genesis: Genesis,
    readonly state: MarketState,
    private readonly tree: SparseMerkleTree,
    private readonly store: Store,
    private current: ChainHead,
  ) {
    this.validatorSets = new ValidatorSets(genesis);
  }

  static async open(store: Store, genesis: Genesis): Promise<Chain> {
    const head = await store.head();
    if (!head) {
      const state = genesisState(genesis.market, genesis.validators);
      state.takeChanges();
      const tree = SparseMerkleTree.fromEntries(state.entries().map(([key, value]) => [key, utf8(encodeRecord(value))] as const));
      return new Chain(genesis, state, tree, store, { height: 0, hash: GENESIS_PREVIOUS_HASH, time: genesis.genesisTime, stateRoot: tree.rootHex() });
    }
    const records: [string, Uint8Array][] = [];
    for await (const [key, bytes] of store.iterateState()) records.push([key, bytes]);
    const state = MarketState.fromRecords(records.map(([key, bytes]) => [key, decodeRecord(key, bytes)] as const));
    const tree = SparseMerkleTree.fromEntries(records, records.length);
    const blockBytes = await store.getBlock(head.height);
    // A store that started from a state snapshot holds that height's header, not its block.
    const header = blockBytes ? decodeBlock(blockBytes).header : await readSnapshotBase(store);
    if (!header || header.height !== head.height) throw new ChainCorruptError(`the store's head ${head.height} has no block`);
    if (header.stateRoot !== tree.rootHex()) {
      throw new ChainCorruptError(`the stored state's root ${tree.rootHex()} differs from block ${head.height}'s ${header.stateRoot}`);
    }
    const chain = new Chain(genesis, state, tree, store, { height: head.height, hash: toHex(head.hash), time: header.time, stateRoot: header.stateRoot });
    chain.lastHeader = header;
    const commitBytes = await store.getCommit(head.height);
    chain.lastCommit = commitBytes ? decodeCommit(commitBytes) : undefined;
    const changes = await store.getNodeData(VALIDATOR_CHANGES_KEY);
    if (changes) chain.validatorSets.remember(decodeValidatorChanges(changes));
    return chain;
  }

  head(): ChainHead {
    return this.current;
  }

  /** The validator set that commits block `height`, for heights up to two above the head (a change is adopted two heights before it applies). */
  validatorsAt(height: number): readonly Validator[] { return this.validatorSets.at(this.state, height); }

  /** The proofs of every change to the validator set so far, in height order. */
  validatorChanges(): readonly ValidatorSetChange[] { return this.validatorSets.all(); }

  /**
   * The committed state with the head's header and commit, taken in one step, for a snapshot a
   * peer may start from: its records (key, canonical bytes) in key byte order. Undefined with
   * no block yet, or while a block is half taken in (the tree is ahead of the head).
   */
  stateSnapshot(): { readonly header: BlockHeader; readonly commit: CommitCertificate; readonly records: [string, Uint8Array][] } | undefined {
    const header = this.lastHeader;
    const commit = this.lastCommit;
    if (!header || !commit || this.replaying || this.tree.rootHex() !== this.current.stateRoot) return undefined;
    // Sorted by each key's UTF-8 bytes read as latin1 (one char a byte), whose string order is
    // their byte order: a plain string comparison, many times faster than comparing buffers.
    const sortable = this.state.entries().map(([key, value]) => ({ order: ASCII.test(key) ? key : Buffer.from(key, 'utf8').toString('latin1'), record: [key, utf8(encodeRecord(value))] as [string, Uint8Array] }));
    sortable.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    return { header, commit, records: sortable.map(({ record }) => record) };
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
    this.checkNotReplaying();
    const changes = encodedChanges(executed.changes);
    const block = this.blockOf(time, executed, toHex(this.tree.applyChanges(changes)), proposer);
    return { block, executed, refused, encodedChanges: changes };
  }

  private blockOf(time: number, executed: ExecutedBlock, stateRoot: string, proposer: string): Block {
    const height = this.current.height + 1;
    return {
      header: {
        chainId: this.genesis.market.params.chainId,
        height,
        time,
        previousHash: this.current.hash,
        txRoot: toHex(txRoot(executed.included.map((tx) => tx.id))),
        stateRoot,
        validatorsHash: validatorsHash(this.validatorsAt(height)),
        proposer,
      },
      txs: executed.included.map((tx) => tx.encoded),
      ...(this.lastCommit ? { lastCommit: this.lastCommit } : {}),
    };
  }

  /**
   * Builds the next block on a fork of the live state, leaving the live state and its tree as
   * they are: what a proposer does when its proposal may not be decided (BFT consensus).
   */
  buildOnFork(time: number, candidates: readonly SignedTransaction<unknown>[], proposer: string): Evaluated {
    const fork = this.state.fork();
    const height = this.current.height + 1;
    const { refused, ...executed } = proposeBlock(fork, { height, time }, candidates);
    const changes = encodedChanges(executed.changes);
    const block = this.blockOf(time, executed, this.speculativeRoot(changes), proposer);
    return { block, hash: blockHash(block.header), executed, refused, encodedChanges: changes, fork };
  }

  /**
   * Checks a proposed next block and re-executes it on a fork of the live state, leaving the
   * live state as it is. `txs` are the block's transactions, decoded and with signatures
   * checked by the caller. Throws InvalidProposalError naming the first fault.
   */
  evaluate(block: Block, txs: readonly SignedTransaction<unknown>[], options: { readonly committed?: boolean; readonly now?: number } = {}): Evaluated {
    const { executed, changes, fork, fault } = this.execute(block, txs, options);
    if (this.speculativeRoot(changes) !== block.header.stateRoot) fault('its state root does not match the state it leads to');
    return { block, hash: blockHash(block.header), executed, refused: [], encodedChanges: changes, fork };
  }

  /**
   * A replay's `evaluate` of a committed block (an auditor's or a node's catching up from
   * genesis): the same checks, but the block's changes go into the live tree once and stay
   * there when its state root checks, instead of being applied, undone and applied again by
   * `commitEvaluated`. Until the block is passed to `commitReplayed` or `abandonReplayed`, the
   * tree is ahead of the live state, and nothing else may be done with this chain.
   */
  evaluateCommitted(block: Block, txs: readonly SignedTransaction<unknown>[]): Evaluated {
    this.checkNotReplaying();
    const { executed, changes, fork, fault } = this.execute(block, txs, { committed: true });
    if (toHex(this.tree.applyChanges(changes)) !== block.header.stateRoot) {
      this.undoTree(changes);
      fault('its state root does not match the state it leads to');
    }
    const evaluated: Evaluated = { block, hash: blockHash(block.header), executed, refused: [], encodedChanges: changes, fork };
    this.replaying = evaluated;
    return evaluated;
  }

  /**
   * Commits a block checked by `evaluateCommitted`: takes the fork's writes into the live
   * state, then stores it as `commit` does; with `encoded`, the block's stored forms the caller
   * already holds instead of encoding them again.
   */
  commitReplayed(evaluated: Evaluated, certificate: CommitCertificate, encoded?: EncodedBlock): Promise<void> {
    if (this.replaying !== evaluated) throw new Error('commitReplayed takes the block evaluateCommitted returned last');
    this.replaying = undefined;
    this.state.takeChanges();
    this.state.absorb(evaluated.fork);
    this.state.takeChanges();
    return this.write(evaluated, certificate, encoded);
  }

  /** Takes a block checked by `evaluateCommitted` back out of the tree, leaving the chain at the block before it. */
  abandonReplayed(evaluated: Evaluated): void {
    if (this.replaying !== evaluated) throw new Error('abandonReplayed takes the block evaluateCommitted returned last');
    this.replaying = undefined;
    this.undoTree(evaluated.encodedChanges);
  }

  /** The header checks of `evaluate` and the block's execution on a fork of the live state. */
  private execute(block: Block, txs: readonly SignedTransaction<unknown>[], options: { readonly committed?: boolean; readonly now?: number }) {
    const { header } = block;
    const height = this.current.height + 1;
    const fault = (reason: string): never => {
      throw new InvalidProposalError(`block ${header.height}: ${reason}`);
    };
    if (header.chainId !== this.genesis.market.params.chainId) fault('it is for another chain');
    if (header.height !== height) fault(`the next height is ${height}`);
    if (header.previousHash !== this.current.hash) fault('it does not follow the last committed block');
    if (header.time < this.current.time) fault('its time is before the last block’s');
    // A proposal's time may run ahead of this validator's clock by MAX_CLOCK_DRIFT_SECONDS at
    // most, so one proposer with a fast clock cannot move the chain's time (interest, due
    // dates) forward. A committed block was judged by a quorum when it was proposed.
    const now = options.now ?? Math.floor(Date.now() / 1000);
    if (!options.committed && header.time > now + MAX_CLOCK_DRIFT_SECONDS) fault(`its time is more than ${MAX_CLOCK_DRIFT_SECONDS} s ahead of this validator’s clock`);
    const validators = this.validatorsAt(height);
    if (!validators.some((validator) => validator.account === header.proposer)) fault('its proposer is not a validator');
    if (header.validatorsHash !== validatorsHash(validators)) fault('it names another validator set');
    if (txs.length !== block.txs.length) fault('its transactions were not all decoded');
    if (header.txRoot !== toHex(txRoot(txs.map((tx) => tx.id)))) fault('its tx root does not match its transactions');
    if (height === 1) {
      if (block.lastCommit !== undefined) fault('the first block carries no commit');
    } else {
      const previous = this.lastHeader;
      const { lastCommit } = block;
      if (lastCommit === undefined || previous === undefined) return fault('it does not carry the previous block’s commit');
      const commitFault = checkCommit(previous, lastCommit, this.validatorsAt(previous.height), fastVerify);
      if (commitFault !== undefined) fault(`its commit of the previous block is invalid (${commitFault})`);
    }
    const fork = this.state.fork();
    let executed: ExecutedBlock;
    try {
      executed = replayBlock(fork, { height, time: header.time }, txs);
    } catch (error) {
      if (error instanceof InvalidBlockError) fault(`transaction ${error.index} is refused (${error.refusal.code}: ${error.refusal.message})`);
      throw error;
    }
    return { executed, changes: encodedChanges(executed.changes), fork, fault };
  }

  /**
   * Commits a block built or checked on a fork: takes the fork's writes into the live state and
   * its tree at once (so what reads the live state next sees the block), then stores it as
   * `commit` does. The returned promise resolves when the block is durable.
   */
  commitEvaluated(evaluated: Evaluated, certificate: CommitCertificate): Promise<void> {
    this.checkNotReplaying();
    this.state.takeChanges();
    this.state.absorb(evaluated.fork);
    this.state.takeChanges();
    const root = toHex(this.tree.applyChanges(evaluated.encodedChanges));
    if (root !== evaluated.block.header.stateRoot) throw new ChainCorruptError(`block ${evaluated.block.header.height}: the live state's root ${root} differs from its header's`);
    return this.commit(evaluated, certificate);
  }

  /** The state root after `changes`, computed on the live tree and then undone. */
  private speculativeRoot(changes: ReadonlyMap<string, Uint8Array | undefined>): string {
    this.checkNotReplaying();
    const root = toHex(this.tree.applyChanges(changes));
    this.undoTree(changes);
    return root;
  }

  /** The tree must not be used while it holds a replayed block the live state does not. */
  private checkNotReplaying(): void {
    if (this.replaying) throw new Error('a replayed block is neither committed nor abandoned');
  }

  /** Puts the live state's values of `changes`' keys back into the tree. */
  private undoTree(changes: ReadonlyMap<string, Uint8Array | undefined>): void {
    const previous = new Map<string, StateValue | undefined>();
    for (const key of changes.keys()) previous.set(key, this.state.get(key));
    this.tree.applyChanges(encodedChanges(previous));
  }

  /** Stores a proposal with its certificate in one atomic, durable write. */
  commit(proposal: Proposal, certificate: CommitCertificate): Promise<void> {
    return this.write(proposal, certificate, undefined);
  }

  private async write(proposal: Proposal, certificate: CommitCertificate, encoded: EncodedBlock | undefined): Promise<void> {
    const { block, executed } = proposal;
    const hash = blockHash(block.header);
    // The first block also stores the genesis records, so the store alone can restart the node.
    const changes =
      block.header.height === 1 ? new Map(this.state.entries().map(([key, value]) => [key, utf8(encodeRecord(value))] as const)) : proposal.encodedChanges;
    const adopted = this.validatorSets.adoptedBy(block.header, certificate, this.state, (key) => this.tree.prove(key));
    const validatorChanges = adopted ? [...this.validatorSets.all(), adopted] : undefined;
    await this.store.commitBlock({
      height: block.header.height,
      hash: fromHex(hash),
      block: encoded?.block ?? utf8(encodeBlock(block)),
      commit: utf8(encodeCommit(certificate)),
      txs: executed.included.map((tx, index) => [tx.id, { height: block.header.height, index }] as const),
      stateChanges: changes,
      nodeData: [
        [blockEventsKey(block.header.height), encoded?.events ?? encodeBlockEvents(executed)],
        ...(validatorChanges ? [[VALIDATOR_CHANGES_KEY, encodeValidatorChanges(validatorChanges)] as const] : []),
      ],
    });
    if (validatorChanges) this.validatorSets.remember(validatorChanges);
    this.current = { height: block.header.height, hash, time: block.header.time, stateRoot: block.header.stateRoot };
    this.lastCommit = certificate;
    this.lastHeader = block.header;
  }

  /** A committed block, or undefined above the head. */
  async block(height: number): Promise<Block | undefined> {
    return decodedOrUndefined(await this.store.getBlock(height), decodeBlock);
  }

  /** The events a committed block caused, or undefined above the head. */
  async eventsOf(height: number): Promise<BlockEvents | undefined> {
    return decodedOrUndefined(await this.store.getNodeData(blockEventsKey(height)), decodeBlockEvents);
  }

  async commitOf(height: number): Promise<CommitCertificate | undefined> {
    return decodedOrUndefined(await this.store.getCommit(height), decodeCommit);
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

function decodedOrUndefined<T>(bytes: Uint8Array | undefined, decode: (bytes: Uint8Array) => T): T | undefined {
  return bytes ? decode(bytes) : undefined;
}
