import {
  type Block,
  bodyDecoder,
  type CommitCertificate,
  decodeTransaction,
  hasValidSignature,
  isRefusal,
  isValidAccountId,
  type KeyPair,
  MAX_BLOCK_TXS,
  type MarketEvent,
  type RefusalDetails,
  type SignedTransaction,
  SIGNER_KEY_REFUSAL,
  txId,
  txInclusionProof,
} from '../../contracts/index.js';
import type { PrivateValidator } from '../consensus/private-validator.js';
import { createSoloEngine } from '../consensus/solo-engine.js';
import type { Evidence, StepTimeout } from '../consensus/tendermint.js';
import { type ConsensusEngine, type ConsensusHost, nextBlockTime } from '../consensus/engine.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import { useNativeSha256 } from '../crypto/native-sha256.js';
import type { NodeConfig } from '../home/config.js';
import type { Genesis } from '../home/genesis-file.js';
import { type DroppedTransaction, Mempool, MempoolRefusal } from '../mempool/mempool.js';
import type { NodeNetwork } from '../network/network.js';
import type { Store } from '../store/index.js';
import { Chain, type Evaluated, type Proposal } from './chain.js';
import { type MemberClock, type MemberMonitoring, NetworkMember, wallClock } from './network-member.js';

/** What became of a submitted transaction. */
export type SubmitResult =
  | { readonly status: 'committed'; readonly id: string; readonly height: number; readonly index: number }
  | { readonly status: 'refused'; readonly id?: string; readonly code: string; readonly message: string; readonly details?: RefusalDetails };

/** A committed block as subscribers see it, with the events it caused. */
export interface CommittedBlock {
  readonly height: number;
  readonly hash: string;
  readonly time: number;
  readonly txIds: readonly string[];
  readonly txEvents: readonly (readonly MarketEvent[])[];
  readonly endEvents: readonly MarketEvent[];
}

/** Transactions whose signatures are checked in one call at most. */
const ARRIVAL_BATCH = 512;

interface Arrival {
  /** Submitted here (its sender waits for the result, and it is gossiped once admitted), or heard from a peer. */
  readonly local: boolean;
  readonly signed: SignedTransaction<unknown>;
  readonly resolve: (result: SubmitResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Checks transactions' signatures under the consensus rule, one verdict per transaction. */
export type SignatureCheck = (txs: readonly SignedTransaction<unknown>[]) => Promise<boolean[]>;

/** The signature check of one thread: the fast verifier, for tests and small tools. */
export const verifyInThisThread: SignatureCheck = async (txs) => txs.map((signed) => hasValidSignature(signed, fastVerify));

export interface LedgerNodeOptions extends MemberMonitoring, MemberClock {
  readonly genesis: Genesis;
  /** How signatures are checked; the running node uses a pool of worker threads with a verdict cache. */
  readonly checkSignatures: SignatureCheck;
  readonly config: NodeConfig;
  readonly store: Store;
  readonly validatorKey: KeyPair;
  /** Called when the node cannot go on (a block could not be stored); it has stopped making blocks. */
  readonly onFatal: (error: unknown) => void;
  /**
   * The network of operator nodes. With it the node runs Tendermint with the validators of
   * genesis, gossips transactions and serves and syncs blocks; without it, the single-validator
   * devnet engine.
   */
  readonly network?: NodeNetwork;
  /** On a network: this validator's signing guard, or null to follow the chain as an observer. */
  readonly signer?: PrivateValidator | null;
  /** Round timeouts on a network (defaults: DEFAULT_TIMEOUTS, network-member.ts). */
  readonly timeouts?: { readonly propose: StepTimeout; readonly prevote: StepTimeout; readonly precommit: StepTimeout };
  /** Called with each equivocation the engine sees. */
  readonly onEvidence?: (evidence: Evidence<Block>) => void;
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/**
 * One ledger node: takes signed transactions, orders them into blocks with its consensus
 * engine, commits them durably, and serves blocks, transactions, state and proofs. This is
 * the in-process API that server/ builds on.
 */
export class LedgerNode {
  private readonly waiters = new Map<string, (result: SubmitResult) => void>();
  private readonly listeners = new Set<(block: CommittedBlock) => void>();
  private readonly mempool: Mempool;
  private readonly engine: ConsensusEngine;
  /** On a network: gossip, sync and the Tendermint engine. */
  private readonly member: NetworkMember | undefined;
  /** On a network: the header of the block being stored, which the live state already holds. */
  private committing: { readonly height: number; readonly time: number } | undefined;
  /** The block being committed, and the mempool transactions it made stale. */
  private proposal: (Proposal & { readonly dropped: readonly DroppedTransaction[] }) | undefined;
  private stopped = false;
  /** Transactions decoded and waiting for their batch's signature check. */
  private arriving: Arrival[] = [];
  /** The batches being checked, settled in arrival order. */
  private admitting: Promise<void> = Promise.resolve();

  private constructor(
    private readonly chain: Chain,
    private readonly options: LedgerNodeOptions,
  ) {
    this.mempool = new Mempool(options.config.mempool, {
      state: () => chain.state,
      context: () => {
        // The live state holds the block being committed, if any: the next block follows it.
        const last = this.proposal?.block.header ?? this.committing ?? chain.head();
        return { height: last.height + 1, time: nextBlockTime(last.time, (options.clock ?? wallClock)()) };
      },
    });
    const { network } = options;
    if (network) {
      this.member = new NetworkMember(network, options, {
        chain,
        mempool: this.mempool,
        isStopped: () => this.stopped,
        offer: (signed) => this.arrive({ local: false, signed, resolve: () => undefined, reject: () => undefined }),
        commitEvaluated: (evaluated, certificate) => this.commitEvaluated(evaluated, certificate),
      });
      this.engine = this.member.engine;
    } else {
      this.engine = createSoloEngine(this.consensusHost(), {
        blockIntervalMs: options.config.blockIntervalMs,
        emptyBlocks: options.config.emptyBlocks,
        validatorKey: options.validatorKey,
        onError: options.onFatal,
      });
    }
  }

  static async open(options: LedgerNodeOptions): Promise<LedgerNode> {
    // Process-wide and idempotent: the same digests as the portable SHA-256, faster.
    useNativeSha256();
    return new LedgerNode(await Chain.open(options.store, options.genesis), options);
  }

  async start(): Promise<void> {
    await this.engine.start();
  }

  /** Stops making blocks; resolves once no block is half-written. The store stays open. */
  async stop(): Promise<void> {
    this.stopped = true;
    // Transactions still having their signatures checked are refused once their check is in.
    this.admitArrived();
    await this.admitting;
    await this.engine.stop();
    for (const id of [...this.waiters.keys()]) this.settle(id, refused('NODE_STOPPING', 'the node stopped before the transaction was committed', id));
  }

  // ---- writes ------------------------------------------------------------------------

  /**
   * Takes a signed transaction in its wire form and resolves when it is committed (with its
   * height and position) or refused (with its code): by decoding, by its signature, by the
   * mempool's limits, by the market's rules on the pending state (the next block's base with
   * the transactions already waiting), or by those rules when its block was built.
   */
  submit(wire: string | Uint8Array): Promise<SubmitResult> {
    if (this.stopped) return Promise.resolve(refused('NODE_STOPPING', 'the node is stopping and takes no more transactions'));
    let signed: SignedTransaction<unknown>;
    try {
      // The signer's key is checked with the signature, on the verifier threads.
      signed = decodeTransaction(wire, { chainId: this.chainId, bodyOf: bodyDecoder, checkSignerKey: false });
    } catch (error) {
      if (isRefusal(error)) return Promise.resolve(refused(error.code, error.message, undefined, error.details));
      return Promise.reject(error);
    }
    // Known bytes are refused before their signature is checked again.
    if (this.mempool.has(signed.id)) return Promise.resolve(refused('ALREADY_KNOWN', 'this transaction is already waiting for a block', signed.id));
    return new Promise((resolve, reject) => {
      this.arrive({ local: true, signed, resolve, reject });
    });
  }

  private arrive(arrival: Arrival): void {
    this.arriving.push(arrival);
    // Checked in batches: one call per event-loop turn, or sooner when a batch is full, so
    // that under a flood the first verdicts reach the mempool while later ones are checked.
    if (this.arriving.length === 1) setImmediate(() => this.admitArrived());
    else if (this.arriving.length >= ARRIVAL_BATCH) this.admitArrived();
  }

  /**
   * Checks the signatures of every transaction that arrived since the last call in one batch,
   * then offers them to the mempool in arrival order. Batches are admitted in the order they
   * arrived, so an account's nonces reach the mempool in the order they were submitted.
   */
  private admitArrived(): void {
    const batch = this.arriving;
    this.arriving = [];
    if (batch.length === 0) return;
    const verdicts = this.options.checkSignatures(batch.map(({ signed }) => signed));
    this.admitting = this.admitting.then(() =>
      verdicts.then(
        (valid) => {
          for (let i = 0; i < batch.length; i++) {
            const arrival = batch[i]!;
            try {
              this.admit(arrival, valid[i] === true);
            } catch (error) {
              arrival.reject(error);
            }
          }
        },
        (error: unknown) => batch.forEach(({ reject }) => reject(error)),
      ),
    );
  }

  /** Offers a checked transaction to the mempool: refused now, or its sender waits for its block. */
  private admit({ signed, resolve, local }: Arrival, valid: boolean): void {
    if (!valid) {
      if (!isValidAccountId(signed.tx.signer)) return resolve(refused('BAD_PUBLIC_KEY', SIGNER_KEY_REFUSAL));
      return resolve(refused('BAD_SIGNATURE', 'the signature does not verify for this signer and transaction', signed.id));
    }
    if (this.stopped) return resolve(refused('NODE_STOPPING', 'the node is stopping and takes no more transactions', signed.id));
    try {
      this.mempool.add(signed);
    } catch (error) {
      if (error instanceof MempoolRefusal || isRefusal(error)) return resolve(refused(error.code, error.message, signed.id, error.details));
      throw error;
    }
    if (local) {
      this.waiters.set(signed.id, resolve);
      this.member?.gossipLater(signed.encoded);
    }
    this.member?.engine.notifyWork();
  }

  /** Commits a block built or checked on a fork, then answers its senders and tells subscribers. */
  private async commitEvaluated(evaluated: Evaluated, certificate: CommitCertificate): Promise<void> {
    const { executed, block } = evaluated;
    const height = block.header.height;
    // The live state takes the block in now; the mempool's pending state must follow at once,
    // before anything else is admitted, and its next block is the one after this.
    const durable = this.chain.commitEvaluated(evaluated, certificate);
    this.committing = block.header;
    const dropped = this.mempool.settle(executed.included.map((tx) => tx.id));
    try {
      await durable;
    } finally {
      this.committing = undefined;
    }
    executed.included.forEach((tx, index) => this.settle(tx.id, { status: 'committed', id: tx.id, height, index }));
    for (const { tx, refusal } of dropped) this.settle(tx.id, refused(refusal.code, refusal.message, tx.id, refusal.details));
    this.announce(height, executed);
  }

  /** Equivocations the engine has seen (the first thousand). */
  evidence(): readonly Evidence<Block>[] {
    return this.member?.evidence() ?? [];
  }

  /** Where consensus is, on a network. */
  consensusPosition() {
    return this.member?.engine.position();
  }

  /** On a network: this node's role, the peers connected, and where consensus is. */
  networkStatus() {
    return this.member?.status();
  }

  /** On a network: the heads of the connected peers (status/1). */
  async peerHeads() {
    return (await this.options.network?.requestStatuses()) ?? [];
  }

  // ---- reads -------------------------------------------------------------------------

  get chainId(): string {
    return this.options.genesis.market.params.chainId;
  }

  status() {
    return { ...this.chain.head(), mempoolSize: this.mempool.size };
  }

  block(height: number) { return this.chain.block(height); }

  commitOf(height: number) { return this.chain.commitOf(height); }

  /** The validator set that commits block `height` (up to two above the head), and the proofs of every change to the set so far. */
  validatorsAt(height: number) { return this.chain.validatorsAt(height); }

  validatorChanges() { return this.chain.validatorChanges(); }

  /** The state's validator set record: the set, a change adopted and not yet in effect, the open proposals. */
  validatorSet() { return this.chain.state.validatorSet(); }

  /** The events a committed block caused, as stored with it. */
  eventsOf(height: number) {
    return this.chain.eventsOf(height);
  }

  /** The genesis this node runs (market, validators, genesis time). */
  get genesis(): Genesis { return this.options.genesis; }

  /** A committed transaction with its block header and its inclusion proof against the header's tx root. */
  async transaction(id: string) {
    const found = await this.chain.transaction(id);
    if (!found) return undefined;
    // A tx id is the hash of its wire bytes: no need to decode the block's other transactions.
    const ids = found.block.txs.map(txId);
    return { tx: found.tx, header: found.block.header, index: found.index, count: ids.length, proof: txInclusionProof(ids, found.index) };
  }

  account(account: string) {
    const { state } = this.chain;
    const balances = Object.fromEntries(this.options.genesis.market.assets.map((asset) => [asset.id, state.balance(account, asset.id)]));
    return { account, nonce: state.account(account).nonce, balances, credit: state.credit(account) };
  }

  order(id: number) { return this.chain.state.order(id); }

  loan(id: number) { return this.chain.state.loan(id); }

  /** The record under a state key with its proof against the current head's state root. */
  stateProof(key: string) {
    return { key, record: this.chain.state.get(key), head: this.chain.head(), proof: this.chain.proveState(key) };
  }

  /** Calls `listener` after every committed block; returns the unsubscribe function. */
  subscribe(listener: (block: CommittedBlock) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- consensus -----------------------------------------------------------------------

  private consensusHost(): ConsensusHost {
    return {
      chainId: this.chainId,
      validators: () => this.chain.validatorsAt(this.chain.head().height + 1),
      head: () => this.chain.head(),
      hasPendingTransactions: () => this.mempool.size > 0,
      propose: async (time) => {
        const proposer = this.options.validatorKey.account;
        // When the block is exactly the waiting transactions, already applied at its height and
        // time on the live state's pending fork, that fork's writes are taken in as they are.
        const pending = this.mempool.pendingBlock({ height: this.chain.head().height + 1, time }, MAX_BLOCK_TXS);
        const proposal = pending ? this.chain.proposeApplied(time, pending, proposer) : this.chain.propose(time, this.mempool.peek(MAX_BLOCK_TXS), proposer);
        // The live state already holds the block, so the mempool lets go of its transactions
        // now: an account's next transaction must follow the nonces the block used.
        this.proposal = { ...proposal, dropped: [] };
        const dropped = this.mempool.settle([...proposal.executed.included.map((tx) => tx.id), ...proposal.refused.map((r) => r.tx.id)]);
        this.proposal = { ...proposal, dropped };
        return proposal.block;
      },
      commit: async (block, certificate) => this.commitProposal(block.header.height, certificate),
    };
  }

  private async commitProposal(height: number, certificate: CommitCertificate): Promise<void> {
    const proposal = this.proposal;
    if (!proposal || proposal.block.header.height !== height) throw new Error(`no proposal of height ${height} to commit`);
    await this.chain.commit(proposal, certificate);
    this.proposal = undefined;
    const { executed, refused: refusedTxs, dropped } = proposal;
    executed.included.forEach((tx, index) => this.settle(tx.id, { status: 'committed', id: tx.id, height, index }));
    for (const { tx, refusal } of refusedTxs) this.settle(tx.id, refused(refusal.code, refusal.message, tx.id, refusal.details));
    for (const { tx, refusal } of dropped) this.settle(tx.id, refused(refusal.code, refusal.message, tx.id, refusal.details));
    this.announce(height, executed);
  }

  /** Tells subscribers of the block just committed. */
  private announce(height: number, executed: Proposal['executed']): void {
    const head = this.chain.head();
    const committed: CommittedBlock = {
      height,
      hash: head.hash,
      time: head.time,
      txIds: executed.included.map((tx) => tx.id),
      txEvents: executed.txEvents,
      endEvents: executed.endEvents,
    };
    for (const listener of this.listeners) listener(committed);
  }

  private settle(id: string, result: SubmitResult): void {
    this.waiters.get(id)?.(result);
    this.waiters.delete(id);
  }
}

function refused(code: string, message: string, id?: string, details?: RefusalDetails): SubmitResult {
  return { status: 'refused', ...(id ? { id } : {}), code, message, ...(details && Object.keys(details).length > 0 ? { details } : {}) };
}
