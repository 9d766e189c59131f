import { assertCanonical, type CanonicalValue, encodeCanonical, parseJson } from '../codec/canonical.js';
import { accountId, arrayOf, chainId, integer, matching, object, optional, type Decoder } from '../codec/schema.js';
import { sha256HexOfText } from '../crypto/sha256.js';
import { refuse } from '../errors.js';
import { MAX_TX_BYTES } from '../tx/envelope.js';
import type { BlockHeader, CommitCertificate } from './block.js';

/** A block: its header, its transactions as wire strings, and the previous block's commit. */
export interface Block {
  readonly header: BlockHeader;
  readonly txs: readonly string[];
  /** The certificate that finalised the previous block (absent at height 1). */
  readonly lastCommit?: CommitCertificate;
}

/** The most transactions one block may hold. */
export const MAX_BLOCK_TXS = 10_000;
/** The most precommits a commit certificate may hold. */
export const MAX_PRECOMMITS = 1_000;

const hash = matching(/^[0-9a-f]{64}$/, 'a SHA-256 hash in 64 lowercase hex characters');
const height = integer(1, Number.MAX_SAFE_INTEGER);

export const headerDecoder = object({
  chainId,
  height,
  time: integer(0, 2 ** 40),
  previousHash: hash,
  txRoot: hash,
  stateRoot: hash,
  validatorsHash: hash,
  proposer: accountId,
});

export const commitDecoder = object({
  height,
  round: integer(0, 1_000_000),
  blockHash: hash,
  precommits: arrayOf(object({ validator: accountId, signature: matching(/^[0-9a-f]{128}$/, 'a 64-byte signature in hex') }), MAX_PRECOMMITS),
});

const txWire: Decoder<string> = (value, path) => {
  if (typeof value !== 'string' || value.length > MAX_TX_BYTES) refuse('BAD_FIELD', `${path} must be a transaction of at most ${MAX_TX_BYTES} bytes`, { field: path });
  return value;
};

/** Decodes a parsed block (a value inside a larger message); `decodeBlock` takes the bytes. */
export const blockDecoder: Decoder<Block> = object({ header: headerDecoder, txs: arrayOf(txWire, MAX_BLOCK_TXS), lastCommit: optional(commitDecoder) });

export function encodeBlock(block: Block): string {
  return encodeCanonical(blockValue(block));
}

/** SHA-256 (hex) of a block's canonical encoding, body included. */
export function blockContentHash(block: Block): string {
  return sha256HexOfText(encodeBlock(block));
}

/** A block as a canonical value, to be encoded alone or inside a larger message. */
export function blockValue(block: Block): CanonicalValue {
  return { header: { ...block.header }, txs: block.txs, lastCommit: block.lastCommit && encodableCommit(block.lastCommit) };
}

export function encodeCommit(commit: CommitCertificate): string {
  return encodeCanonical(encodableCommit(commit));
}

function encodableCommit(commit: CommitCertificate) {
  return { ...commit, precommits: commit.precommits.map((p) => ({ ...p })) };
}

/**
 * Decodes a block from untrusted bytes: size-bounded, strictly shaped, canonical. The
 * transactions stay wire strings, to be decoded and verified one by one.
 */
export function decodeBlock(input: Uint8Array | string): Block {
  const parsed = parseJson(input, (MAX_BLOCK_TXS + 10) * (MAX_TX_BYTES + 4) + MAX_PRECOMMITS * 300);
  const block = blockDecoder(parsed, 'block');
  assertCanonical(input, parsed);
  return block;
}

export function decodeCommit(input: Uint8Array | string): CommitCertificate {
  const parsed = parseJson(input, MAX_PRECOMMITS * 300 + 1_000);
  const commit = commitDecoder(parsed, 'commit');
  assertCanonical(input, parsed);
  return commit;
}
