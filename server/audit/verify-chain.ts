import {
  type BlockHeader,
  checkCommit,
  type CommitCertificate,
  encodeRecord,
  type Loan,
  type MarketEvent,
  type MarketState,
  toHex,
  type Validator,
} from '../../contracts/index.js';
import { fastVerify } from '../../node/crypto/fast-verifier.js';
import { useNativeSha256 } from '../../node/crypto/native-sha256.js';
import type { Genesis } from '../../node/home/genesis-file.js';
import { blockEventsKey, decodeBlockEvents, encodeBlockEvents } from '../../node/ledger/block-events.js';
import { Chain, type Evaluated, InvalidProposalError } from '../../node/ledger/chain.js';
import { snapshotBaseHeight } from '../../node/ledger/snapshot-base.js';
import { encodeValidatorChanges, VALIDATOR_CHANGES_KEY } from '../../node/ledger/validator-changes.js';
import { type BlockWrite, type Head, HeightMismatchError, type Store } from '../../node/store/index.js';
import { type BlockWindow, type ChainFault, type ReadBlock, readWindow, shortId, type SignatureVerdicts, verdictsInThisThread } from './verify-window.js';

export { type ChainFault, type SignatureVerdicts, verdictsInThisThread } from './verify-window.js';

type Repayment = Extract<MarketEvent, { readonly type: 'repayment' }>;

/** A repayment as the replay made it: what the index's `payments` table must hold, row for row. */
export interface ReplayedPayment extends Pick<Repayment, 'loanId' | 'payer' | 'prepay' | 'lateFees' | 'interest' | 'principal' | 'interestWaived'> {
  readonly height: number;
  /** The event's place among the block's events (transactions' in order, then the end-of-block ones). */
  readonly seq: number;
  readonly txId: string;
  readonly time: number;
}

/** A block as replayed: its header, hash and number of transactions. */
export interface ReplayedBlock {
  readonly header: BlockHeader;
  readonly hash: string;
  readonly txCount: number;
}

/** What replaying a node's chain from genesis found. */
export interface ChainAudit {
  /** Blocks replayed and found right (all of them, or those before the fault). */
  readonly blocks: number;
  readonly txs: number;
  /** Loan records in the replayed state, by status. */
  readonly loans: { readonly total: number; readonly active: number; readonly repaid: number; readonly defaulted: number };
  /** Domain events the blocks caused (balance updates left out, as the index's event log leaves them out). */
  readonly events: number;
  /** Precommit signatures of the stored commit certificates checked. */
  readonly precommits: number;
  readonly seconds: number;
  /** The market state the replay leads to. */
  readonly state: MarketState;
  /** Each replayed block: replayed[h - 1] is block h. */
  readonly replayed: readonly ReplayedBlock[];
  readonly payments: readonly ReplayedPayment[];
  /** The first fault found; undefined when every block checks. */
  readonly fault: ChainFault | undefined;
}

export interface VerifyChainOptions {
  /** How transactions' signatures are checked; by default the consensus rule on this thread. */
  readonly verdicts?: SignatureVerdicts;
  /** Called after each replayed block, with the store's head height. */
  readonly onBlock?: (height: number, head: number) => void;
  /**
   * Called after each replayed block with its events in block order (transactions' in order,
   * then the end-of-block ones): the events the store keeps for it, which the replay has just
   * found equal to those the block causes.
   */
  readonly onEvents?: (height: number, time: number, events: readonly MarketEvent[]) => void;
}

/**
 * The replay's own store keeps only its head: the replay reads blocks from the audited store,
 * never from its own, so a copy of the chain need not be held a second time in memory, nor
 * its keys made.
 */
class HeadOnlyStore implements Store {
  private current: Head | undefined;

  async commitBlock(write: BlockWrite): Promise<void> {
    const expected = (this.current?.height ?? 0) + 1;
    if (write.height !== expected) throw new HeightMismatchError(expected, write.height);
    this.current = { height: write.height, hash: write.hash };
  }

  async startFromSnapshot(): Promise<void> {
    throw new Error('an audit replays from genesis, never from a snapshot');
  }

  async head(): Promise<Head | undefined> {
    return this.current;
  }

  async getBlock(): Promise<undefined> {
    return undefined;
  }

  async getCommit(): Promise<undefined> {
    return undefined;
  }

  async getTx(): Promise<undefined> {
    return undefined;
  }

  async getState(): Promise<undefined> {
    return undefined;
  }

  async *iterateState(): AsyncIterable<readonly [string, Uint8Array]> {}

  async getNodeData(): Promise<undefined> {
    return undefined;
  }

  async close(): Promise<void> {}
}

class Tally {
  txs = 0;
  events = 0;
  precommits = 0;
  readonly replayed: ReplayedBlock[] = [];
  readonly payments: ReplayedPayment[] = [];

  add(read: ReadBlock, evaluated: Evaluated, commit: CommitCertificate): void {
    const { header } = read.block;
    this.txs += read.txs.length;
    this.precommits += commit.precommits.length;
    this.replayed.push({ header, hash: evaluated.hash, txCount: read.txs.length });
    const { txEvents, endEvents } = evaluated.executed;
    let seq = 0;
    const count = (event: MarketEvent, position: number | undefined) => {
      if (event.type !== 'balance') this.events += 1;
      // The index keeps a payment for each repayment a transaction made, numbered by its event.
      if (event.type === 'repayment' && position !== undefined) {
        const { loanId, payer, prepay, lateFees, interest, principal, interestWaived } = event;
        this.payments.push({ height: header.height, seq, loanId, txId: read.txs[position]!.id, payer, prepay, lateFees, interest, principal, interestWaived, time: header.time });
      }
      seq += 1;
    };
    txEvents.forEach((events, position) => events.forEach((event) => count(event, position)));
    endEvents.forEach((event) => count(event, undefined));
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

/**
 * Replays the chain held in `store` from genesis on a fresh in-memory chain and checks
 * everything a block must satisfy: each is present and decodes, every transaction's signature
 * holds under the consensus rule, the header follows the chain (chain id, height, previous
 * hash, time, proposer, validator set, tx root, the previous block's commit it carries) and its
 * state root is the state its transactions lead to, the stored commit certificate finalises it
 * under the validator set of its height (the genesis set, then each set the replayed state
 * adopted), the store's tx index and events agree with it; then that the store's head is the
 * last block, its state records are the replayed state's and the proofs of validator changes it
 * keeps (which loan files and the loan page are given) are those the replay made. Stops at the
 * first fault and names it.
 */
export async function verifyChain(store: Store, genesis: Genesis, options: VerifyChainOptions = {}): Promise<ChainAudit> {
  // Tx ids, tx roots and block hashes are hashed by OpenSSL in this process, as the node hashes them.
  useNativeSha256();
  const started = performance.now();
  const verdicts = options.verdicts ?? verdictsInThisThread;
  const chainId = genesis.market.params.chainId;
  const chain = await Chain.open(new HeadOnlyStore(), genesis);
  const tally = new Tally();
  const head = await store.head();
  const target = head?.height ?? 0;
  const audit = (fault: ChainFault | undefined): ChainAudit => ({
    blocks: chain.head().height,
    txs: tally.txs,
    loans: loansOf(chain.state),
    events: tally.events,
    precommits: tally.precommits,
    seconds: (performance.now() - started) / 1000,
    state: chain.state,
    replayed: tally.replayed,
    payments: tally.payments,
    fault,
  });

  // A node that joined from a state snapshot holds no blocks up to the snapshot's height.
  const base = await snapshotBaseHeight(store);
  if (base !== undefined) {
    return audit({ height: 1, what: `this node started from a state snapshot at height ${base} and holds no blocks up to it: audit verify replays from genesis, so run it on a node that synced every block` });
  }

  // The next window is read and its signatures verified while this one is executed.
  let next: Promise<BlockWindow> | undefined = target > 0 ? readWindow(store, chainId, 1, target, verdicts) : undefined;
  while (next) {
    const window: BlockWindow = await next;
    const last = window.blocks.at(-1)?.height ?? 0;
    next = !window.fault && last > 0 && last < target ? readWindow(store, chainId, last + 1, target, verdicts) : undefined;
    for (const read of window.blocks) {
      const fault = await replayBlock(chain, store, read, tally);
      if (fault) {
        // The window read ahead is no longer needed; its outcome is of no interest.
        next?.catch(() => undefined);
        return audit(fault);
      }
      if (options.onEvents) {
        const { txEvents, endEvents } = decodeBlockEvents((await store.getNodeData(blockEventsKey(read.height)))!);
        options.onEvents(read.height, read.block.header.time, [...txEvents.flat(), ...endEvents]);
      }
      options.onBlock?.(read.height, target);
    }
    if (window.fault) return audit(window.fault);
  }
  if (head && toHex(head.hash) !== chain.head().hash) {
    return audit({ height: head.height, what: `block ${head.height}: the store's head names hash ${shortId(toHex(head.hash))}, not the block's ${shortId(chain.head().hash)}` });
  }
  if (!head) return audit(undefined);
  return audit((await compareStoredState(store, chain.state, head.height)) ?? (await compareValidatorChanges(store, chain, head.height)));
}

/** The proofs of validator changes the store keeps are, byte for byte, those the replay made. */
async function compareValidatorChanges(store: Store, chain: Chain, height: number): Promise<ChainFault | undefined> {
  const replayed = chain.validatorChanges();
  const stored = await store.getNodeData(VALIDATOR_CHANGES_KEY);
  if (!stored) {
    return replayed.length === 0 ? undefined : { height, what: `block ${height}: the store keeps no proofs of validator changes, but the chain adopted ${replayed.length}` };
  }
  if (sameBytes(stored, encodeValidatorChanges(replayed))) return undefined;
  return { height, what: `block ${height}: the proofs of validator changes the store keeps differ from those of the ${replayed.length} changes the chain adopted` };
}

/**
 * The state the node keeps in its store (what it loads and serves after a restart) is, record
 * for record, the state the replay leads to.
 */
async function compareStoredState(store: Store, state: MarketState, height: number): Promise<ChainFault | undefined> {
  const replayed = new Map(state.entries());
  const decoder = new TextDecoder();
  let seen = 0;
  for await (const [key, bytes] of store.iterateState()) {
    const value = replayed.get(key);
    if (value === undefined) return { height, what: `block ${height}: the store's state holds ${key}, which the replayed state does not` };
    if (decoder.decode(bytes) !== encodeRecord(value)) return { height, what: `block ${height}: the store's state record ${key} differs from the replayed state's` };
    seen += 1;
  }
  if (seen === replayed.size) return undefined;
  const stored = new Set<string>();
  for await (const [key] of store.iterateState()) stored.add(key);
  const missing = [...replayed.keys()].find((key) => !stored.has(key));
  return { height, what: `block ${height}: the store's state lacks ${missing}, which the replayed state holds` };
}

/** Checks one block and commits it to the replay; returns its first fault, or undefined. */
async function replayBlock(chain: Chain, store: Store, read: ReadBlock, tally: Tally): Promise<ChainFault | undefined> {
  const { height, block, txs, verdicts } = read;
  // Every transaction is signed by its signer (the consensus rule, ZIP-215 with acceptable keys).
  const unsigned = verdicts.findIndex((verdict) => !verdict);
  if (unsigned >= 0) {
    const id = txs[unsigned]!.id;
    return { height, txId: id, what: `block ${height}: the signature of tx ${shortId(id)} does not verify` };
  }
  // The header follows the chain and the state root is what executing the block gives.
  let evaluated: Evaluated;
  try {
    evaluated = chain.evaluateCommitted(block, txs);
  } catch (error) {
    if (error instanceof InvalidProposalError) return { height, what: error.message };
    throw error;
  }
  // A quorum of the validators of its height signed this very block: the set the replayed
  // state holds for it (the live state is still the one before the block).
  const { commit } = read;
  const events = encodeBlockEvents(evaluated.executed);
  const fault = 'fault' in commit ? { height, what: commit.fault } : await storedRecordsFault(store, chain.validatorsAt(height), read, commit, events);
  if (fault || 'fault' in commit) {
    chain.abandonReplayed(evaluated);
    return fault;
  }
  await chain.commitReplayed(evaluated, commit, { block: read.bytes, events });
  tally.add(read, evaluated, commit);
  return undefined;
}

/** The block's commit certificate, tx index entries and events as the store keeps them agree with the block as replayed. */
async function storedRecordsFault(
  store: Store,
  validators: readonly Validator[],
  read: ReadBlock,
  commit: CommitCertificate,
  events: Uint8Array,
): Promise<ChainFault | undefined> {
  const { height, block, txs } = read;
  const commitFault = checkCommit(block.header, commit, validators, fastVerify);
  if (commitFault !== undefined) return { height, what: `block ${height}: the commit certificate does not verify (${commitFault})` };
  // The store's tx index points each transaction at its place in this block.
  for (const [index, tx] of txs.entries()) {
    const location = await store.getTx(tx.id);
    if (location?.height !== height || location.index !== index) {
      const where = location ? `block ${location.height} position ${location.index}` : 'nowhere';
      return { height, txId: tx.id, what: `block ${height}: the store's tx index places tx ${shortId(tx.id)} at ${where}, not at position ${index}` };
    }
  }
  // The events the index is built from are those the block causes.
  const stored = await store.getNodeData(blockEventsKey(height));
  if (!stored) return { height, what: `block ${height}: the store keeps no events for it` };
  if (!sameBytes(stored, events)) return { height, what: `block ${height}: the events the store keeps for it differ from those it causes` };
  return undefined;
}

function loansOf(state: MarketState): ChainAudit['loans'] {
  const loans = { total: 0, active: 0, repaid: 0, defaulted: 0 };
  for (const [key, value] of state.entries()) {
    if (!key.startsWith('loan/')) continue;
    loans.total += 1;
    loans[(value as Loan).status] += 1;
  }
  return loans;
}
