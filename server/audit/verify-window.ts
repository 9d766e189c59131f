import {
  type Block,
  bodyDecoder,
  type CommitCertificate,
  decodeBlock,
  decodeCommit,
  decodeTransaction,
  hasValidSignature,
  isRefusal,
  type SignedTransaction,
} from '../../contracts/index.js';
import { fastVerify } from '../../node/crypto/fast-verifier.js';
import type { Store } from '../../node/store/index.js';

/** Where the audit found the chain at fault, in plain words. */
export interface ChainFault {
  readonly height: number;
  readonly txId?: string;
  readonly what: string;
}

/** Checks transactions' signatures under the consensus rule, one verdict per transaction. */
export type SignatureVerdicts = (txs: readonly SignedTransaction<unknown>[]) => Promise<boolean[]>;

/** The consensus rule on this thread, through the node's fast verifier (the rule's verdicts, OpenSSL's speed). */
export const verdictsInThisThread: SignatureVerdicts = async (txs) => txs.map((signed) => hasValidSignature(signed, fastVerify));

/** A stored block read back and decoded, with its transactions' signature verdicts and its commit certificate. */
export interface ReadBlock {
  readonly height: number;
  /** The block's bytes as stored. */
  readonly bytes: Uint8Array;
  readonly block: Block;
  readonly txs: readonly SignedTransaction<unknown>[];
  readonly verdicts: readonly boolean[];
  /** The stored certificate, or why there is none to check. */
  readonly commit: CommitCertificate | { readonly fault: string };
}

/** Consecutive blocks read together, so that their signatures go to the verifier in one call. */
export interface BlockWindow {
  readonly blocks: readonly ReadBlock[];
  /** A fault found while reading the block after the last one, which stops the audit there. */
  readonly fault?: ChainFault;
}

/** Bounds of a window: enough transactions to keep every verifier thread busy, little enough to hold in memory. */
const WINDOW_TXS = 8_192;
const WINDOW_BLOCKS = 512;

function reason(error: unknown): string {
  if (isRefusal(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** A short form of a transaction id for a one-line report. */
export const shortId = (id: string) => `${id.slice(0, 12)}…`;

/**
 * Reads blocks from `from` up to `to` (at most a window's worth), decodes them and their
 * transactions for `chainId`, and checks every transaction's signature in one call. Stops at
 * the first block that is missing or does not decode, returning the blocks before it.
 */
export async function readWindow(store: Store, chainId: string, from: number, to: number, verdictsOf: SignatureVerdicts): Promise<BlockWindow> {
  const read: Omit<ReadBlock, 'verdicts'>[] = [];
  let fault: ChainFault | undefined;
  let txCount = 0;
  for (let height = from; height <= to && read.length < WINDOW_BLOCKS && txCount < WINDOW_TXS; height++) {
    const bytes = await store.getBlock(height);
    if (!bytes) {
      fault = { height, what: `block ${height} is missing from the store` };
      break;
    }
    let block: Block;
    try {
      block = decodeBlock(bytes);
    } catch (error) {
      fault = { height, what: `block ${height}: its stored bytes do not decode (${reason(error)})` };
      break;
    }
    const txs: SignedTransaction<unknown>[] = [];
    for (const [index, wire] of block.txs.entries()) {
      try {
        // The signer's key is judged with its signature, by the consensus rule, below.
        txs.push(decodeTransaction(wire, { chainId, bodyOf: bodyDecoder, checkSignerKey: false }));
      } catch (error) {
        fault = { height, what: `block ${height}: its transaction ${index} does not decode (${reason(error)})` };
        break;
      }
    }
    if (fault) break;
    read.push({ height, bytes, block, txs, commit: await readCommit(store, height) });
    txCount += txs.length;
  }
  const verdicts = await verdictsOf(read.flatMap((entry) => entry.txs));
  let at = 0;
  const blocks = read.map((entry) => {
    const own = verdicts.slice(at, at + entry.txs.length);
    at += entry.txs.length;
    return { ...entry, verdicts: own };
  });
  return fault ? { blocks, fault } : { blocks };
}

async function readCommit(store: Store, height: number): Promise<ReadBlock['commit']> {
  const bytes = await store.getCommit(height);
  if (!bytes) return { fault: `block ${height}: its commit certificate is missing from the store` };
  try {
    return decodeCommit(bytes);
  } catch (error) {
    return { fault: `block ${height}: its stored commit certificate does not decode (${reason(error)})` };
  }
}
