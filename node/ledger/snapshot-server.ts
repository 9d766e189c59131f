import type { NodeNetwork } from '../network/network.js';
import {
  decodeSnapshotRequest,
  encodeSnapshotBase,
  encodeSnapshotChunks,
  encodeSnapshotOffer,
  encodeValidatorChangePages,
  SnapshotRefusal,
  type SnapshotRequest,
} from '../network/snapshot-protocol.js';
import type { Chain } from './chain.js';

/** Heights a served snapshot may fall behind the head before a newer one is taken. */
export const SNAPSHOT_EVERY_HEIGHTS = 100;
/** Snapshots kept to serve: the newest, and the one before it for a peer still fetching it. */
const SNAPSHOTS_KEPT = 2;

/** A snapshot taken to serve: its base, the pages of validator changes up to it and its chunks, encoded once. */
interface ServedSnapshot {
  readonly height: number;
  readonly base: Uint8Array;
  readonly changes: readonly Uint8Array[];
  readonly chunks: readonly Uint8Array[];
  readonly records: number;
}

/**
 * A node's side of the snapshot protocol (snapshot-protocol.ts): it takes a snapshot of its
 * committed state when a peer first asks for one, and a newer one once the head has moved
 * SNAPSHOT_EVERY_HEIGHTS past it, and serves the newest two, each with the proofs of the
 * validator-set changes adopted up to its height. A snapshot is a copy, so blocks
 * committed meanwhile do not change what is being served. A request that is not one of the
 * protocol's is refused and counts against the peer that sent it.
 */
export class SnapshotServer {
  private readonly served: ServedSnapshot[] = [];

  constructor(
    private readonly chain: Chain,
    private readonly network: NodeNetwork,
    private readonly everyHeights: number = SNAPSHOT_EVERY_HEIGHTS,
  ) {}

  async answer(bytes: Uint8Array, from: string): Promise<Uint8Array> {
    let request: SnapshotRequest;
    try {
      request = decodeSnapshotRequest(bytes);
    } catch (error) {
      if (error instanceof SnapshotRefusal) this.network.penalise(from);
      throw error;
    }
    if (request.kind === 'offer') {
      let newest = this.newest();
      // A chain with blocks has a snapshot to offer once the block being taken in is stored.
      for (let wait = 0; !newest && this.chain.head().height > 0 && wait < 20; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        newest = this.newest();
      }
      return encodeSnapshotOffer(newest ? { height: newest.height, chunks: newest.chunks.length, records: newest.records } : { height: 0, chunks: 0, records: 0 });
    }
    const snapshot = this.served.find((candidate) => candidate.height === request.height);
    if (!snapshot) throw new SnapshotRefusal('NO_SNAPSHOT', `no snapshot of height ${request.height} is served here`);
    if (request.kind === 'base') return snapshot.base;
    if (request.kind === 'changes') {
      const page = snapshot.changes[request.index];
      if (!page) throw new SnapshotRefusal('NO_SNAPSHOT', `the snapshot of height ${request.height} has ${snapshot.changes.length} pages of validator changes`);
      return page;
    }
    const chunk = snapshot.chunks[request.index];
    if (!chunk) throw new SnapshotRefusal('NO_SNAPSHOT', `the snapshot of height ${request.height} has ${snapshot.chunks.length} chunks`);
    return chunk;
  }

  /** The newest snapshot, taken now if there is none or the head has moved far enough past it. */
  private newest(): ServedSnapshot | undefined {
    const last = this.served.at(-1);
    if (last && this.chain.head().height < last.height + this.everyHeights) return last;
    // Undefined while a block is being taken in: the last one, if there is one, is served meanwhile.
    const taken = this.chain.stateSnapshot();
    if (!taken) return last;
    // The proofs of the set changes a joiner needs to know the set that committed this height.
    const changes = encodeValidatorChangePages(this.chain.validatorChanges().filter((change) => change.header.height <= taken.header.height));
    const snapshot: ServedSnapshot = {
      height: taken.header.height,
      base: encodeSnapshotBase({ header: taken.header, commit: taken.commit, changePages: changes.length }),
      changes,
      chunks: encodeSnapshotChunks(taken.records),
      records: taken.records.length,
    };
    if (last?.height === snapshot.height) return last;
    this.served.push(snapshot);
    if (this.served.length > SNAPSHOTS_KEPT) this.served.shift();
    return snapshot;
  }
}
