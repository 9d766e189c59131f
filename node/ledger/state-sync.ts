import {
  blockHash,
  checkCommit,
  decodeRecord,
  encodeCommit,
  fromHex,
  genesisValidatorSet,
  isRefusal,
  MAX_VALIDATOR_CHANGES,
  stateKey,
  utf8,
  type Validator,
  type ValidatorHistory,
  ValidatorHistoryError,
  validatorsHash,
  type ValidatorSetChange,
  type ValidatorSetRecord,
  verifyValidatorHistory,
} from '../../contracts/index.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import type { Genesis } from '../home/genesis-file.js';
import type { NodeNetwork } from '../network/network.js';
import {
  decodeSnapshotBase,
  decodeSnapshotChunk,
  decodeSnapshotOffer,
  decodeValidatorChangePage,
  encodeSnapshotRequest,
  type SnapshotBase,
  type SnapshotOffer,
  type SnapshotRecord,
  SnapshotRefusal,
  type SnapshotRefusalCode,
  type SnapshotRequest,
} from '../network/snapshot-protocol.js';
import { SparseMerkleTree } from '../state/sparse-merkle-tree.js';
import type { Store } from '../store/index.js';
import { encodeHeaderBytes } from './snapshot-base.js';
import { encodeValidatorChanges, VALIDATOR_CHANGES_KEY } from './validator-changes.js';

/**
 * A fresh node's start from a state snapshot (`network.stateSync`): it asks its peers for the
 * newest snapshot they serve, takes the header and commit certificate of that height with the
 * proofs of the validator-set changes adopted up to it, verifies those changes from the genesis
 * validators and checks the commit against the set they give that height, fetches every chunk
 * of records, rebuilds the sparse Merkle tree from them, and refuses the snapshot unless the
 * tree's root is the header's state root and the state's validator set is the one the last
 * change adopted; then it tries the next peer. Only a snapshot that passes is written to the
 * store, with the changes (so the node knows the set of every earlier height), in one atomic
 * write, as the node's starting point; blocks then sync from the height above.
 */

/** A peer whose snapshot was refused, and why. */
export interface RefusedSnapshot {
  readonly peer: string;
  readonly height: number;
  readonly code: SnapshotRefusalCode;
  readonly message: string;
}

export type StateSyncResult =
  /** The store now starts at `height`, from `peer`'s snapshot. */
  | { readonly kind: 'synced'; readonly height: number; readonly peer: string; readonly records: number; readonly bytes: number; readonly seconds: number; readonly refused: readonly RefusedSnapshot[] }
  /** The store was not empty: nothing was done. */
  | { readonly kind: 'has-blocks' }
  /** No peer offered a snapshot that checked before the deadline: the node syncs blocks from 1. */
  | { readonly kind: 'none'; readonly refused: readonly RefusedSnapshot[] };

export interface StateSyncOptions {
  readonly network: NodeNetwork;
  readonly store: Store;
  readonly genesis: Genesis;
  /** How long to keep asking while no peer answers with a snapshot (30 s by default). */
  readonly deadlineMs?: number;
  /** Pause between rounds of asking, in ms (500 by default). */
  readonly retryMs?: number;
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** An offer with the peer that made it. */
type PeerOffer = SnapshotOffer & { readonly peer: string };

/** Codes that are the peer's fault (it answered, with data no honest node serves): they count against it. */
const PEER_FAULTS: ReadonlySet<SnapshotRefusalCode> = new Set(['BAD_OFFER', 'BAD_BASE', 'BAD_COMMIT', 'BAD_VALIDATOR_CHANGES', 'BAD_CHUNK', 'BAD_RECORD', 'RECORDS_OUT_OF_ORDER', 'ROOT_MISMATCH']);

/** Takes a verified snapshot from a peer into an empty store (see the file's comment). */
export async function syncStateFromPeers(options: StateSyncOptions): Promise<StateSyncResult> {
  const { network, store, log } = options;
  if (await store.head()) return { kind: 'has-blocks' };
  const deadline = Date.now() + (options.deadlineMs ?? 30_000);
  const refused: RefusedSnapshot[] = [];
  for (;;) {
    const offers = await askForOffers(network, refused);
    // Newest first; peers that offer the same height in the order the network lists them.
    const candidates = offers.filter((offer) => offer.height > 0).sort((a, b) => b.height - a.height);
    for (const offer of candidates) {
      const started = performance.now();
      try {
        const { base, changes, records, bytes } = await fetchVerified(options, offer);
        await store.startFromSnapshot({
          height: offer.height,
          hash: fromHex(blockHash(base.header)),
          header: encodeHeaderBytes(base.header),
          commit: utf8(encodeCommit(base.commit)),
          records,
          // As Chain.write keeps them: absent until the set first changes.
          nodeData: changes.length > 0 ? [[VALIDATOR_CHANGES_KEY, encodeValidatorChanges(changes)]] : [],
        });
        const seconds = (performance.now() - started) / 1000;
        log?.('info', 'started from a state snapshot', { height: offer.height, peer: offer.peer, records: records.length, bytes, seconds });
        return { kind: 'synced', height: offer.height, peer: offer.peer, records: records.length, bytes, seconds, refused };
      } catch (error) {
        if (!(error instanceof SnapshotRefusal)) throw error;
        refused.push({ peer: offer.peer, height: offer.height, code: error.code, message: error.message });
        if (PEER_FAULTS.has(error.code)) network.penalise(offer.peer);
        log?.('warn', 'refused a state snapshot', { peer: offer.peer, height: offer.height, code: error.code, reason: error.message });
      }
    }
    // Peers that answered and serve no snapshot (a network at its first blocks): sync blocks.
    if (offers.length > 0 && candidates.length === 0) return { kind: 'none', refused };
    if (Date.now() >= deadline) return { kind: 'none', refused };
    await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 500));
  }
}

/** Each connected peer's offer, in the order the network lists its peers; peers that give none are skipped. */
async function askForOffers(network: NodeNetwork, refused: RefusedSnapshot[]): Promise<PeerOffer[]> {
  const answers = await Promise.all(
    network.peers().map(async (peer) => {
      try {
        return { peer, ...decodeSnapshotOffer(await ask(network, peer, { kind: 'offer' })) };
      } catch (error) {
        if (!(error instanceof SnapshotRefusal)) throw error;
        if (error.code === 'BAD_OFFER') {
          refused.push({ peer, height: 0, code: error.code, message: error.message });
          network.penalise(peer);
        }
        return undefined;
      }
    }),
  );
  return answers.filter((answer) => answer !== undefined);
}

/** One request to one peer; a peer that gives no answer is UNANSWERED. */
async function ask(network: NodeNetwork, peer: string, request: SnapshotRequest): Promise<Uint8Array> {
  try {
    return await network.requestSnapshot(peer, encodeSnapshotRequest(request));
  } catch (error) {
    throw new SnapshotRefusal('UNANSWERED', `${request.kind} request: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Fetches the offered snapshot from its peer and checks it whole: the base's header is of this
 * chain and height; the validator changes verify from the genesis set and give the set the
 * header names, whose validators finalise it by the commit; every chunk decodes strictly; keys
 * rise strictly in byte order across chunks; every record decodes as its key's kind in
 * canonical form; the records' tree has the header's state root; and the state's validator
 * set is the one the last change adopted.
 */
async function fetchVerified(options: StateSyncOptions, offer: PeerOffer): Promise<{ base: SnapshotBase; changes: ValidatorSetChange[]; records: SnapshotRecord[]; bytes: number }> {
  const { network, genesis } = options;
  const base = decodeSnapshotBase(await ask(network, offer.peer, { kind: 'base', height: offer.height }));
  const { header, commit } = base;
  // Rule: the base is the offered height of this chain.
  if (header.chainId !== genesis.market.params.chainId || header.height !== offer.height) throw new SnapshotRefusal('BAD_BASE', `the base is block ${header.height} of ${header.chainId}, not ${offer.height} of this chain`);
  const { changes, history } = await fetchValidatorHistory(options, offer, base.changePages);
  const validators = history.at(header.height);
  // Rule: the proven changes lead to the set the header names (none before its height left out).
  if (header.validatorsHash !== validatorsHash(validators)) {
    throw new SnapshotRefusal('BAD_VALIDATOR_CHANGES', `the ${changes.length} validator changes served do not lead to the set that block ${header.height} names`);
  }
  // Rule: validators holding more than 2/3 of that set's power committed the header.
  const fault = checkCommit(header, commit, validators, fastVerify);
  if (fault !== undefined) throw new SnapshotRefusal('BAD_COMMIT', `the commit of height ${offer.height} is invalid (${fault})`);

  const records: SnapshotRecord[] = [];
  let bytes = 0;
  let previousKey: Uint8Array | undefined;
  let validatorSet: Uint8Array | undefined;
  for (let index = 0; index < offer.chunks; index++) {
    const chunk = await ask(network, offer.peer, { kind: 'chunk', height: offer.height, index });
    bytes += chunk.length;
    for (const record of decodeSnapshotChunk(chunk)) {
      // Rule: one record a key, in the store's key order, so no key is served twice.
      if (previousKey && Buffer.compare(previousKey, record.keyBytes) >= 0) throw new SnapshotRefusal('RECORDS_OUT_OF_ORDER', `chunk ${index}: key ${record.key.slice(0, 80)} does not follow the one before`);
      previousKey = record.keyBytes;
      // Rule: each record is a valid, canonical record of its key's kind.
      try {
        decodeRecord(record.key, record.bytes);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        throw new SnapshotRefusal('BAD_RECORD', `chunk ${index}: ${error.message}`);
      }
      if (record.key === stateKey.validators()) validatorSet = record.bytes;
      records.push([record.key, record.bytes]);
      if (records.length > offer.records) throw new SnapshotRefusal('BAD_CHUNK', `the chunks hold more than the ${offer.records} records offered`);
    }
  }
  if (records.length !== offer.records) throw new SnapshotRefusal('BAD_CHUNK', `the chunks hold ${records.length} records, not the ${offer.records} offered`);
  // Rule: the records are the state the committed header names.
  let root: string;
  try {
    root = SparseMerkleTree.fromEntries(records, records.length).rootHex();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new SnapshotRefusal('BAD_RECORD', error.message);
  }
  if (root !== header.stateRoot) throw new SnapshotRefusal('ROOT_MISMATCH', `the records' root ${root} is not block ${header.height}'s state root ${header.stateRoot}`);
  // Rule: the state's validator set is the one the last change served adopted (the genesis set
  // if none), so no change up to the snapshot's height was left out.
  checkValidatorSet(options, changes, validatorSet);
  return { base, changes, records, bytes };
}

/**
 * Fetches the base's pages of validator changes and verifies them, oldest first, from the
 * genesis set (validator-history.ts); returns them with the sets they prove.
 */
async function fetchValidatorHistory(options: StateSyncOptions, offer: PeerOffer, pages: number): Promise<{ changes: ValidatorSetChange[]; history: ValidatorHistory }> {
  const { network, genesis } = options;
  const changes: ValidatorSetChange[] = [];
  for (let index = 0; index < pages; index++) {
    for (const change of decodeValidatorChangePage(await ask(network, offer.peer, { kind: 'changes', height: offer.height, index }))) {
      // Rule: only changes adopted at or below the snapshot's height belong to its state.
      if (change.header.height > offer.height) throw new SnapshotRefusal('BAD_VALIDATOR_CHANGES', `a validator change of height ${change.header.height} is above the snapshot's`);
      changes.push(change);
    }
    if (changes.length > MAX_VALIDATOR_CHANGES) throw new SnapshotRefusal('BAD_VALIDATOR_CHANGES', `more than ${MAX_VALIDATOR_CHANGES} validator changes`);
  }
  // Rule: each change's block was committed by the set then in effect, and its record proven in that block's state.
  try {
    return { changes, history: verifyValidatorHistory(genesis.market.params.chainId, genesis.validators, changes, fastVerify) };
  } catch (error) {
    if (!(error instanceof ValidatorHistoryError)) throw error;
    throw new SnapshotRefusal('BAD_VALIDATOR_CHANGES', error.message);
  }
}

/** Refuses a snapshot whose `validators` record is not the one the last proven change adopted (or, with none, the genesis one). */
function checkValidatorSet(options: StateSyncOptions, changes: readonly ValidatorSetChange[], bytes: Uint8Array | undefined): void {
  const last = changes.at(-1);
  const fail = (reason: string): never => {
    throw new SnapshotRefusal('BAD_VALIDATOR_CHANGES', reason);
  };
  // A state from before validator changes existed holds no record; it cannot have changed its set.
  if (!bytes) {
    if (last) fail(`the state holds no validator set, yet a change was adopted at height ${last.header.height}`);
    return;
  }
  const expected = last ? (decodeRecord(stateKey.validators(), last.record) as ValidatorSetRecord) : genesisValidatorSet(options.genesis.validators);
  const record = decodeRecord(stateKey.validators(), bytes) as ValidatorSetRecord;
  const sameSet = (a: readonly Validator[], b: readonly Validator[]) => validatorsHash(a) === validatorsHash(b);
  if (record.adoptedAt !== expected.adoptedAt || record.from !== expected.from || !sameSet(record.validators, expected.validators) || !sameSet(record.previous, expected.previous)) {
    fail(`the state's validator set was adopted at height ${record.adoptedAt}, not by the last change served (height ${expected.adoptedAt})`);
  }
}
