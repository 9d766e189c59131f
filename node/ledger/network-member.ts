import {
  type Block,
  bodyDecoder,
  checkCommit,
  type CommitCertificate,
  decodeBlock,
  decodeCommit,
  decodeTransaction,
  encodeBlock,
  encodeCommit,
  isRefusal,
  MAX_BLOCK_TXS,
  type SignedTransaction,
  utf8,
} from '../../contracts/index.js';
import { type BftEngine, type BftHost, createBftEngine } from '../consensus/bft-engine.js';
import type { ConsensusObserver } from '../consensus/consensus-observer.js';
import { MAX_CONSENSUS_MESSAGE_BYTES } from '../consensus/messages.js';
import type { Evidence } from '../consensus/tendermint.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import type { Mempool } from '../mempool/mempool.js';
import { type BlockWithCommit, MAX_BLOCKS_PER_REQUEST, type NodeNetwork, type Verdict } from '../network/network.js';
import { type Chain, type Evaluated, InvalidProposalError, MAX_CLOCK_DRIFT_SECONDS } from './chain.js';
import type { LedgerNodeOptions } from './ledger-node.js';
import { peersForQuorum } from './node-health.js';
import { SnapshotServer } from './snapshot-server.js';
import { decodeTxBatch, encodeTxBatch, MAX_TXS_PER_GOSSIP } from './tx-gossip.js';

/** Bytes of transactions a proposer puts in one block on a network: a proposal is one gossip message. */
export const MAX_PROPOSED_TX_BYTES = MAX_CONSENSUS_MESSAGE_BYTES - 1024 * 1024;

/** Round timeouts on a network: base and growth per round, in milliseconds. */
export const DEFAULT_TIMEOUTS = {
  propose: { baseMs: 3_000, incrementMs: 500 },
  prevote: { baseMs: 1_000, incrementMs: 500 },
  precommit: { baseMs: 1_000, incrementMs: 500 },
} as const;

const MAX_EVIDENCE_KEPT = 1_000;

/** What a node on a network reports to, besides its log (LedgerNodeOptions has it). */
export interface MemberMonitoring {
  /** Told of consensus rounds, steps, decisions and missed proposals (the node's metrics). */
  readonly consensusObserver?: ConsensusObserver;
}

/** The clock a node on a network keeps time by (LedgerNodeOptions has it). */
export interface MemberClock {
  /**
   * This validator's clock in whole seconds (default: the system clock): the time of the blocks
   * it proposes, and what a proposed block's time may not run more than MAX_CLOCK_DRIFT_SECONDS
   * ahead of. Tests set it to a clock that is off.
   */
  readonly clock?: () => number;
}

/** The system clock in whole seconds. */
export const wallClock = (): number => Math.floor(Date.now() / 1000);

/** What a network member needs of its ledger node. */
export interface LedgerCore {
  readonly chain: Chain;
  readonly mempool: Mempool;
  isStopped(): boolean;
  /** Offers a transaction heard from a peer (signature checked) to the mempool, with nobody waiting on it. */
  offer(signed: SignedTransaction<unknown>): void;
  /** Commits a block built or checked on a fork, answers its senders and tells subscribers. */
  commitEvaluated(evaluated: Evaluated, certificate: CommitCertificate): Promise<void>;
}

/**
 * A ledger node's part in a network of operator nodes: the Tendermint engine (validator or
 * observer) with the blocks it builds and judges on forks of the live state, transactions
 * gossiped in batches, blocks served to and synced from peers, every commit verified, and
 * state snapshots served to peers that join (snapshot-server.ts).
 */
export class NetworkMember {
  readonly engine: BftEngine;
  /** Blocks built or judged at the current height, by hash, ready to commit. */
  private readonly evaluated = new Map<string, Evaluated>();
  /** Transactions submitted here and admitted, waiting to be gossiped. */
  private outgoing: string[] = [];
  private readonly evidenceSeen: Evidence<Block>[] = [];

  constructor(
    private readonly network: NodeNetwork,
    private readonly options: LedgerNodeOptions,
    private readonly core: LedgerCore,
  ) {
    this.engine = createBftEngine(this.bftHost(network), {
      signer: options.signer ?? null,
      gossip: { publish: (bytes) => network.publish('consensus', bytes), subscribe: (handler) => network.subscribe('consensus', handler) },
      timeouts: options.timeouts ?? DEFAULT_TIMEOUTS,
      blockIntervalMs: options.config.blockIntervalMs,
      emptyBlocks: options.config.emptyBlocks,
      onError: options.onFatal,
      clock: options.clock ?? wallClock,
      ...(options.log ? { log: options.log } : {}),
      ...(options.consensusObserver ? { observer: options.consensusObserver } : {}),
    });
    network.subscribe('txs', (bytes) => this.onTxGossip(bytes));
    network.serveBlocks((from, to) => this.blocksWithCommits(from, to));
    const snapshots = new SnapshotServer(core.chain, network);
    network.serveSnapshots((request, from) => snapshots.answer(request, from));
    network.serveStatus(() => {
      const head = core.chain.head();
      return { height: head.height, hash: head.hash };
    });
  }

  /** Equivocations the engine has seen (the first thousand). */
  evidence(): readonly Evidence<Block>[] {
    return this.evidenceSeen;
  }

  /** This node's role, the peers connected (and how many it needs: node-health.ts), and where consensus is. */
  status() {
    const chain = this.core.chain;
    const validators = chain.validatorsAt(chain.head().height + 1);
    const account = this.options.signer?.account ?? null;
    const peersNeeded = peersForQuorum(validators, account);
    const role = account !== null && validators.some((v) => v.account === account) ? 'validator' : 'observer';
    return { role, peers: this.network.peers().length, peersNeeded, consensus: this.engine.position() } as const;
  }

  private async commit(evaluated: Evaluated, certificate: CommitCertificate): Promise<void> {
    try {
      await this.core.commitEvaluated(evaluated, certificate);
    } finally {
      this.evaluated.clear();
    }
  }

  /** Queues an admitted transaction for the next gossip message of transactions. */
  gossipLater(wire: string): void {
    this.outgoing.push(wire);
    if (this.outgoing.length === 1) setImmediate(() => this.flushGossip());
    else if (this.outgoing.length >= MAX_TXS_PER_GOSSIP) this.flushGossip();
  }

  private flushGossip(): void {
    const batch = this.outgoing;
    this.outgoing = [];
    if (batch.length > 0 && !this.core.isStopped()) this.network.publish('txs', encodeTxBatch(batch));
  }

  /**
   * Transactions from a peer: refused (and the peer penalised) if any does not decode or its
   * signature does not verify, since a node relays only what it checked; otherwise relayed, and
   * the new ones offered to the mempool like any other.
   */
  private async onTxGossip(bytes: Uint8Array): Promise<Verdict> {
    let wires: string[];
    try {
      wires = decodeTxBatch(bytes);
    } catch {
      return 'reject';
    }
    const fresh: SignedTransaction<unknown>[] = [];
    for (const wire of wires) {
      let signed: SignedTransaction<unknown>;
      try {
        signed = decodeTransaction(wire, { chainId: this.options.genesis.market.params.chainId, bodyOf: bodyDecoder, checkSignerKey: false });
      } catch (error) {
        if (isRefusal(error)) return 'reject';
        throw error;
      }
      if (!this.core.mempool.has(signed.id)) fresh.push(signed);
    }
    if (fresh.length === 0 || this.core.isStopped()) return 'ignore';
    // Verdicts are remembered by id, so admitting them below checks nothing twice.
    const valid = await this.options.checkSignatures(fresh);
    if (valid.some((verdict) => !verdict)) return 'reject';
    for (const signed of fresh) this.core.offer(signed);
    return 'accept';
  }

  /** Committed blocks from..to with their commits, for a peer that is behind. */
  private async blocksWithCommits(from: number, to: number): Promise<BlockWithCommit[]> {
    const out: BlockWithCommit[] = [];
    const last = Math.min(to, from + MAX_BLOCKS_PER_REQUEST - 1, this.core.chain.head().height);
    for (let height = Math.max(1, from); height <= last; height++) {
      const [block, commit] = await Promise.all([this.core.chain.block(height), this.core.chain.commitOf(height)]);
      if (!block || !commit) break;
      out.push({ block: utf8(encodeBlock(block)), commit: utf8(encodeCommit(commit)) });
    }
    return out;
  }

  /** Decodes a proposed or synced block's transactions and checks their signatures; undefined if any fails. */
  private async checkedTransactions(block: Block): Promise<SignedTransaction<unknown>[] | undefined> {
    const txs: SignedTransaction<unknown>[] = [];
    for (const wire of block.txs) {
      try {
        txs.push(decodeTransaction(wire, { chainId: this.options.genesis.market.params.chainId, bodyOf: bodyDecoder, checkSignerKey: false }));
      } catch (error) {
        if (isRefusal(error)) return undefined;
        throw error;
      }
    }
    const verdicts = await this.options.checkSignatures(txs);
    return verdicts.every((valid) => valid) ? txs : undefined;
  }

  private bftHost(network: NodeNetwork): BftHost {
    const self = this.options.signer?.account ?? this.options.validatorKey.account;
    return {
      chainId: this.options.genesis.market.params.chainId,
      validatorsAt: (height) => this.core.chain.validatorsAt(height),
      head: () => this.core.chain.head(),
      hasPendingTransactions: () => this.core.mempool.size > 0,
      build: async (time: number) => {
        // A proposal travels as one gossip message: its block's transactions fit well inside one.
        const candidates: SignedTransaction<unknown>[] = [];
        let bytes = 0;
        for (const tx of this.core.mempool.peek(MAX_BLOCK_TXS)) {
          bytes += tx.encoded.length;
          if (bytes > MAX_PROPOSED_TX_BYTES) break;
          candidates.push(tx);
        }
        const evaluated = this.core.chain.buildOnFork(time, candidates, self);
        this.evaluated.set(evaluated.hash, evaluated);
        return evaluated.block;
      },
      judge: async (block: Block) => {
        const txs = await this.checkedTransactions(block);
        if (!txs) return false;
        const now = (this.options.clock ?? wallClock)();
        try {
          // Every rule but the time's bound against this node's clock, which only decides this
          // node's prevote: a block a quorum prevoted is still locked on and decided here.
          const evaluated = this.core.chain.evaluate(block, txs, { committed: true });
          this.evaluated.set(evaluated.hash, evaluated);
          if (block.header.time <= now + MAX_CLOCK_DRIFT_SECONDS) return true;
          this.options.log?.('warn', 'untimely proposal', { height: block.header.height, time: block.header.time, clock: now });
          return 'untimely';
        } catch (error) {
          if (error instanceof InvalidProposalError) {
            this.options.log?.('warn', 'invalid proposal', { reason: error.message });
            return false;
          }
          throw error;
        }
      },
      commit: async (hash: string, certificate: CommitCertificate) => {
        // Sync may have committed this height already.
        if (certificate.height <= this.core.chain.head().height) return;
        const evaluated = this.evaluated.get(hash);
        if (!evaluated) throw new Error(`block ${hash} was decided but never built or judged here`);
        await this.commit(evaluated, certificate);
      },
      fetchBlocks: () => network.requestBlocks(this.core.chain.head().height + 1, this.core.chain.head().height + MAX_BLOCKS_PER_REQUEST),
      commitFetched: (blocks: readonly BlockWithCommit[]) => this.commitFetched(blocks),
      recordEvidence: (evidence: Evidence<Block>) => {
        if (this.evidenceSeen.length < MAX_EVIDENCE_KEPT) this.evidenceSeen.push(evidence);
        this.options.onEvidence?.(evidence);
      },
    };
  }

  /**
   * Commits blocks fetched from a peer, each in turn while it follows the head: its commit must
   * be valid for the validator set, its transactions must decode and verify, and it must
   * re-execute to its header. Stops at the first that does not follow; throws at the first that
   * is invalid (the peer served a block no honest node committed). Returns how many it committed.
   */
  private async commitFetched(blocks: readonly BlockWithCommit[]): Promise<number> {
    let committed = 0;
    for (const { block: blockBytes, commit: commitBytes } of blocks) {
      if (this.core.isStopped()) break;
      const block = decodeBlock(blockBytes);
      const commit = decodeCommit(commitBytes);
      if (block.header.height !== this.core.chain.head().height + 1) break;
      const fault = checkCommit(block.header, commit, this.core.chain.validatorsAt(block.header.height), fastVerify);
      if (fault !== undefined) throw new InvalidProposalError(`synced block ${block.header.height}: its commit is invalid (${fault})`);
      const txs = await this.checkedTransactions(block);
      if (!txs) throw new InvalidProposalError(`synced block ${block.header.height}: a transaction does not decode or verify`);
      await this.commit(this.core.chain.evaluate(block, txs, { committed: true }), commit);
      committed += 1;
      this.options.log?.('info', 'synced block', { height: block.header.height });
    }
    return committed;
  }
}
