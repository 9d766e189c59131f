import { type Block, blockHash, type CommitCertificate, type Validator } from '../../contracts/index.js';
import { type BlockWithCommit, MAX_BLOCKS_PER_REQUEST } from '../network/network.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import { type ConsensusObserver, ConsensusWatch } from './consensus-observer.js';
import { type ConsensusEngine, nextBlockTime } from './engine.js';
import { BadConsensusMessage, type ConsensusMessage, decodeConsensusMessages, encodeConsensusMessages, MAX_MESSAGES_PER_BATCH } from './messages.js';
import { DoubleSignRefused, type PrivateValidator } from './private-validator.js';
import { type Action, type Evidence, type StepTimeout, Tendermint } from './tendermint.js';

/**
 * The network's consensus engine: drives the Tendermint state machine (tendermint.ts) with
 * real time, signatures, gossip and the node's blocks.
 *
 * - Actions run one after another in the order the machine gave them; the machine itself is
 *   called synchronously, so no two inputs interleave.
 * - Gossip: every consensus message it signs is published at once; what arrives is decoded
 *   strictly and authenticated (messages.ts), and judged for relaying: 'reject' (the peer is
 *   penalised) for malformed data, bad signatures, or signers outside the validator set;
 *   'ignore' for old heights; 'accept' otherwise.
 * - Sending again: every `resendMs` without a new height, what the machine says others may be
 *   missing is published again (the paper's gossip assumption, over a lossy network).
 * - Behind: a signed message two heights above this one means the network has moved on, and
 *   so may a long time without a new height; the host then syncs blocks with their commits from
 *   peers, and the engine re-enters at the new head.
 * - Safety across restarts: votes and proposals go through the PrivateValidator, which persists
 *   what it signs before the signature leaves; the lock is persisted before each precommit.
 */

/** What the engine needs from the node. */
export interface BftHost {
  readonly chainId: string;
  /** The validator set that commits block `height`, for heights up to two above the head. */
  validatorsAt(height: number): readonly Validator[];
  /** The last committed block. */
  head(): { readonly height: number; readonly time: number };
  hasPendingTransactions(): boolean;
  /** Builds the next block at `time` from waiting transactions, without committing it; the node keeps it by hash. */
  build(time: number): Promise<Block>;
  /**
   * Whether a proposed next block is valid (decoded, signatures, re-executed), or 'untimely': valid
   * but dated too far ahead of this node's clock to prevote; the node keeps a valid one by hash.
   */
  judge(block: Block): Promise<boolean | 'untimely'>;
  /** Commits the block with this hash (built or judged before) with its certificate. */
  commit(hash: string, certificate: CommitCertificate): Promise<void>;
  /** Committed blocks above the head, with their commits, from a peer (none if no peer has more); changes nothing. */
  fetchBlocks(): Promise<readonly BlockWithCommit[]>;
  /** Verifies fetched blocks (each commit against the validator set, each block by re-execution) and commits those that follow the head; how many. */
  commitFetched(blocks: readonly BlockWithCommit[]): Promise<number>;
  recordEvidence(evidence: Evidence<Block>): void;
}

/** The gossip topic the engine publishes to and hears from. */
export interface ConsensusGossip {
  publish(bytes: Uint8Array): void;
  /** Calls `handler` for each message from a peer; its verdict decides whether it is relayed. */
  subscribe(handler: (bytes: Uint8Array, from: string) => 'accept' | 'reject' | 'ignore'): () => void;
}

export interface BftEngineOptions {
  /** The validator's signing guard, or null for an observer. */
  readonly signer: PrivateValidator | null;
  readonly gossip: ConsensusGossip;
  readonly timeouts: { readonly propose: StepTimeout; readonly prevote: StepTimeout; readonly precommit: StepTimeout };
  /** The least time from one height's start to the next's, in ms (blocks are not cut faster). */
  readonly blockIntervalMs: number;
  /** Whether to make blocks with no transactions. */
  readonly emptyBlocks: boolean;
  /** How long without a new height before messages are sent again, in ms. */
  readonly resendMs?: number;
  readonly clock?: () => number;
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Called when the engine cannot go on (a decided block could not be committed). */
  readonly onError: (error: unknown) => void;
  /** Told of rounds, steps, decisions and missed proposals (the node's metrics). */
  readonly observer?: ConsensusObserver;
}

export interface BftEngine extends ConsensusEngine {
  /** Transactions are waiting: an idle height starts. */
  notifyWork(): void;
  /** Where the machine is, for status. */
  position(): { readonly height: number; readonly round: number; readonly step: string };
}

const DEFAULT_RESEND_MS = 1_000;
/** Consensus messages remembered per height as heard (enough for every vote of many rounds). */
const MAX_SEEN_PER_HEIGHT = 100_000;
/** Heights ahead of this node at which a message still counts as a sign of being behind. */
const MAX_HEIGHTS_AHEAD = 1_000_000;

export function createBftEngine(host: BftHost, options: BftEngineOptions): BftEngine {
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const log = options.log ?? (() => undefined);
  const resendMs = options.resendMs ?? DEFAULT_RESEND_MS;
  const machine = new Tendermint<Block>({
    validatorsAt: (height) => host.validatorsAt(height),
    self: options.signer?.account ?? null,
    timeouts: options.timeouts,
    waitForWork: !options.emptyBlocks,
  });
  const timers = new Set<NodeJS.Timeout>();
  const watch = new ConsensusWatch(options.observer);
  let queue: Promise<void> = Promise.resolve();
  let stopped = true;
  let unsubscribe: (() => void) | undefined;
  let resendTimer: NodeJS.Timeout | undefined;
  let heightStartedAt = Date.now();
  let lastProgress = Date.now();
  let syncing = false;
  /** Gossip messages published, so that a message sent again differs from the first sending. */
  let sent = 0;
  /** Whether the next height entered is the first since start. */
  let firstHeight = true;
  /** Signatures of the consensus messages heard at the current height. */
  const seen = new Set<string>();
  let seenHeight = 0;
  /**
   * Signatures verified at the current height, by key, message and signature: a message sent
   * again (or relayed by several peers) is verified once.
   */
  const verified = new Set<string>();
  const verifyOnce = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean => {
    const key = `${Buffer.from(publicKey).toString('hex')}${Buffer.from(signature).toString('hex')}${Buffer.from(message).toString('latin1')}`;
    if (verified.has(key)) return true;
    const valid = fastVerify(publicKey, message, signature);
    if (valid && verified.size < MAX_SEEN_PER_HEIGHT) verified.add(key);
    return valid;
  };

  function later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) run();
    }, ms);
    timers.add(timer);
  }

  /** Queues the machine's actions; each runs after the previous one has finished. */
  function enqueue(actions: readonly Action<Block>[]): void {
    // Every input to the machine ends here with its actions: the place to see its steps change.
    watch.moved(machine.position);
    for (const action of actions) {
      queue = queue.then(() => (stopped ? undefined : perform(action))).catch((error: unknown) => fail(error));
    }
  }

  function fail(error: unknown): void {
    if (stopped) return;
    stopped = true;
    options.onError(error);
  }

  function publish(messages: readonly ConsensusMessage[]): void {
    for (let i = 0; i < messages.length; i += MAX_MESSAGES_PER_BATCH) {
      sent += 1;
      options.gossip.publish(encodeConsensusMessages(messages.slice(i, i + MAX_MESSAGES_PER_BATCH), sent));
    }
  }

  async function perform(action: Action<Block>): Promise<void> {
    switch (action.kind) {
      case 'round':
        log('debug', 'consensus round', { height: action.height, round: action.round, proposer: action.proposer });
        watch.roundStarted(action.height, action.round, action.proposer);
        return;
      case 'build': {
        let block: Block;
        try {
          block = await host.build(nextBlockTime(host.head().time, clock()));
        } catch (error) {
          log('error', 'could not build a block; the round will time out', { height: action.height, round: action.round, error: String(error) });
          return;
        }
        enqueue(machine.valueBuilt(action.height, action.round, block, blockHash(block.header)));
        return;
      }
      case 'judge': {
        let valid: boolean | 'untimely' = false;
        try {
          valid = await host.judge(action.value);
        } catch (error) {
          log('warn', 'a proposed block could not be judged; taken as invalid', { height: action.height, error: String(error) });
        }
        enqueue(machine.valueJudged(action.height, action.valueId, valid));
        return;
      }
      case 'propose': {
        const signer = options.signer;
        if (signer === null) return;
        const signed = await signSafely(() => signer.signProposal(action));
        if (signed === undefined) return;
        publish([{ proposal: signed }]);
        enqueue(machine.onProposal(signed));
        return;
      }
      case 'vote': {
        const signer = options.signer;
        if (signer === null) return;
        // The lock may just have changed (Alg. 1 lines 38–39): it is on disk before the precommit leaves.
        if (action.type === 'precommit') await signer.saveCarried(action.height, machine.carried());
        const signed = await signSafely(() => signer.signVote(action));
        if (signed === undefined) return;
        publish([{ vote: signed }]);
        enqueue(machine.onVote(signed));
        return;
      }
      case 'timeout':
        later(action.ms, () => {
          if (action.step === 'propose') watch.proposeTimedOut(action.height, action.round, machine.position);
          enqueue(machine.onTimeout(action.step, action.height, action.round));
        });
        return;
      case 'decide': {
        const certificate: CommitCertificate = {
          height: action.height,
          round: action.round,
          blockHash: action.valueId,
          precommits: action.precommits.map((vote) => ({ validator: vote.validator, signature: vote.signature })),
        };
        await host.commit(action.valueId, certificate);
        watch.decided(action.height, action.round);
        log('info', 'block committed', { height: action.height, round: action.round, hash: action.valueId, txs: action.value.txs.length });
        lastProgress = Date.now();
        const wait = Math.max(0, options.blockIntervalMs - (Date.now() - heightStartedAt));
        later(wait, () => enterNext());
        return;
      }
      case 'evidence':
        log('warn', 'equivocation seen', { kind: action.evidence.kind });
        host.recordEvidence(action.evidence);
        return;
    }
  }

  async function signSafely<T>(sign: () => Promise<T>): Promise<T | undefined> {
    try {
      return await sign();
    } catch (error) {
      if (error instanceof DoubleSignRefused) {
        log('warn', 'refused to sign', { reason: error.message });
        return undefined;
      }
      throw error;
    }
  }

  /** Enters the height after the current head (after a commit or a sync). */
  function enterNext(): void {
    queue = queue
      .then(async () => {
        if (stopped) return;
        const height = host.head().height + 1;
        if (machine.position.height >= height && !machine.position.decided) return;
        // A lock is read back only when the engine starts (a restart in the middle of a height).
        const restored = options.signer === null || !firstHeight ? {} : await options.signer.loadCarried(height);
        firstHeight = false;
        heightStartedAt = Date.now();
        enqueue(machine.enterHeight(height, restored));
        if (host.hasPendingTransactions()) enqueue(machine.wake());
      })
      .catch((error: unknown) => fail(error));
  }

  /**
   * Syncs from peers: the request runs beside consensus (a peer slow to answer holds up
   * nothing), and only committing what came back takes a turn in the queue. Goes on while
   * full answers keep coming.
   */
  function behind(): void {
    if (syncing || stopped) return;
    syncing = true;
    host
      .fetchBlocks()
      .then((blocks) => {
        if (blocks.length === 0 || stopped) return undefined;
        const committing = queue.then(async () => {
          const committed = await host.commitFetched(blocks);
          if (committed > 0) {
            lastProgress = Date.now();
            // The machine may sit at a decided or overtaken height: start again from the head.
            restart();
          }
          return committed;
        });
        // A peer that served an invalid block fails this sync, not the engine: the queue goes on.
        queue = committing.then(
          () => undefined,
          () => undefined,
        );
        return committing;
      })
      .catch((error: unknown) => {
        log('warn', 'sync failed', { error: String(error) });
        return undefined;
      })
      .then((committed) => {
        syncing = false;
        if (committed !== undefined && committed === MAX_BLOCKS_PER_REQUEST) behind();
      });
  }

  function restart(): void {
    const height = host.head().height + 1;
    heightStartedAt = Date.now();
    enqueue(machine.enterHeight(height, {}));
    if (host.hasPendingTransactions()) enqueue(machine.wake());
  }

  function onGossip(bytes: Uint8Array, _from: string): 'accept' | 'reject' | 'ignore' {
    let messages: ConsensusMessage[];
    if (machine.position.height !== seenHeight) {
      seen.clear();
      verified.clear();
      seenHeight = machine.position.height;
    }
    try {
      messages = decodeConsensusMessages(host.chainId, bytes, verifyOnce);
    } catch (error) {
      if (error instanceof BadConsensusMessage) return 'reject';
      throw error;
    }
    let fresh = false;
    const current = machine.position.height;
    for (const message of messages) {
      const signer = 'proposal' in message ? message.proposal.proposer : message.vote.validator;
      const height = 'proposal' in message ? message.proposal.height : message.vote.height;
      // The sets of this height and the next are known; above them, a signer the node does not
      // know yet may be a validator a later change added, so it is not held against the peer.
      const known = host.validatorsAt(Math.min(Math.max(height, 1), current + 1));
      if (!known.some((v) => v.account === signer)) return height > current + 1 ? 'ignore' : 'reject';
    }
    for (const message of messages) {
      const height = 'proposal' in message ? message.proposal.height : message.vote.height;
      if (height < current) continue;
      // A message already heard is not passed on again (a peer replaying honest messages in
      // new wrappers gets them dropped here, not relayed).
      const signature = 'proposal' in message ? message.proposal.signature : message.vote.signature;
      if (seen.has(signature)) continue;
      if (seen.size < MAX_SEEN_PER_HEIGHT) seen.add(signature);
      fresh = true;
      if ('proposal' in message) watch.proposalHeard(height, message.proposal.round);
      // Two heights ahead: at least one block was committed that this node does not have.
      if (height > current + 1 && height < current + MAX_HEIGHTS_AHEAD) behind();
      enqueue('proposal' in message ? machine.onProposal(message.proposal) : machine.onVote(message.vote));
    }
    return fresh ? 'accept' : 'ignore';
  }

  function scheduleResend(): void {
    resendTimer = setTimeout(() => {
      if (stopped) return;
      if (Date.now() - lastProgress >= resendMs) {
        const { proposals, votes } = machine.toResend();
        publish([...proposals.map((proposal) => ({ proposal })), ...votes.map((vote) => ({ vote }))]);
        // No new height for a while: ask peers for blocks above the head, in case the network
        // moved on while this node was away (an idle network then sends nothing to hear).
        if (Date.now() - lastProgress >= 2 * resendMs) behind();
      }
      scheduleResend();
    }, resendMs);
  }

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe = options.gossip.subscribe(onGossip);
      lastProgress = Date.now();
      enterNext();
      scheduleResend();
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (resendTimer) clearTimeout(resendTimer);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await queue;
    },
    notifyWork() {
      if (!stopped) enqueue(machine.wake());
    },
    position() {
      const { height, round, step } = machine.position;
      return { height, round, step };
    },
  };
}
