import { blockHash, precommitBytes, signMessage, toHex, type KeyPair } from '../../contracts/index.js';
import { type ConsensusEngine, type ConsensusHost, nextBlockTime } from './engine.js';

export interface SoloEngineOptions {
  /** How often to cut a block, in milliseconds. */
  readonly blockIntervalMs: number;
  /** Whether to commit blocks with no transactions (a heartbeat); off by default. */
  readonly emptyBlocks: boolean;
  /** The one validator's key. */
  readonly validatorKey: KeyPair;
  /** Seconds of wall-clock time; injectable for tests. */
  readonly clock?: () => number;
  /** Called when a block cannot be made or committed; the engine stops proposing. */
  readonly onError: (error: unknown) => void;
}

/**
 * The devnet's consensus: one validator that proposes and commits alone on an interval. Its
 * commit certificate is its own precommit, which is a quorum of a one-validator set.
 */
export function createSoloEngine(host: ConsensusHost, options: SoloEngineOptions): ConsensusEngine {
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  /** Refuses to go on unless this node's key alone commits the next block. */
  function checkSoloSet(): void {
    const set = host.validators();
    if (set.length !== 1 || set[0]?.account !== options.validatorKey.account) {
      throw new Error('the solo engine needs a validator set of exactly this node’s key; a network of validators needs nodes started with peers');
    }
  }

  async function tick(): Promise<void> {
    if (stopped || (!options.emptyBlocks && !host.hasPendingTransactions())) return;
    // A change adopted on this chain may hand the next block to another set.
    checkSoloSet();
    const head = host.head();
    const block = await host.propose(nextBlockTime(head.time, clock()));
    const hash = blockHash(block.header);
    const round = 0;
    const signature = signMessage(options.validatorKey.secretKey, precommitBytes(host.chainId, block.header.height, round, hash));
    await host.commit(block, {
      height: block.header.height,
      round,
      blockHash: hash,
      precommits: [{ validator: options.validatorKey.account, signature: toHex(signature) }],
    });
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      // one block at a time: the next tick waits for this one's commit
      running = tick().then(schedule, (error: unknown) => {
        stopped = true;
        options.onError(error);
      });
    }, options.blockIntervalMs);
  }

  return {
    async start() {
      checkSoloSet();
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
