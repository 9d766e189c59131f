import { hash } from 'node:crypto';
import type { StateProof } from '../../contracts/proofs/state-proof.js';
import { stateValueBytes } from '../../contracts/proofs/state-proof.js';
import type { StateValue } from '../../contracts/state/records.js';

/**
 * The node's state tree: the compact sparse Merkle tree that contracts/proofs/state-proof.ts
 * defines (keyHash = SHA-256(key), leaf = SHA-256(0x00 || keyHash || valueHash), inner =
 * SHA-256(0x01 || left || right), empty = 32 zero bytes, a one-leaf subtree is its leaf), kept
 * up to date block by block. It hashes with node:crypto, which gives the same bytes as the
 * verifier's @noble/hashes and is about 5 times faster on these 65-byte inputs.
 *
 * Incremental: `applyChanges` first reshapes the paths of the changed keys, marking each inner
 * node it passes dirty, then rehashes the dirty nodes once each, children before parents. A
 * block of k changes rehashes the inner nodes on k paths of about log2 N each, counting once
 * the top levels they share (11 a key for k = 1000, N = 10^6). Nothing else is touched.
 *
 * Memory: nodes live in flat arenas, not one object each. A leaf is 96 bytes (keyHash,
 * valueHash, its node hash); an inner node 41 (hash, two 4-byte child references, a dirty
 * flag), and a random tree has about 1.44 inner nodes per leaf: ~155 bytes a leaf in use.
 * Arenas double when full, so up to as much again may be spare; `fromEntries` told the
 * record count allocates ~158 bytes a leaf.
 *
 * Persistence, later: a node is identified by its path prefix (depth, and that many bits of
 * any key beneath it), as Jellyfish addresses nodes by nibble path. The rehash pass visits
 * exactly the nodes whose hash changes and compaction frees exactly the nodes that vanish, so
 * a block's write set for an on-disk tree is those nodes keyed by prefix; the child references
 * here become "look up prefix+0 / prefix+1".
 */

// A child reference: 0 is the empty subtree, n > 0 inner node n, -n leaf n. Slot 0 of each
// arena is never used, so 0 is free to mean empty.
const EMPTY_REF = 0;
const HASH = 32;
const MIN_CAPACITY = 64;
const LONE_SURROGATE = /\p{Cs}/u;
// A random tree has 1/ln 2 ≈ 1.443 inner nodes per leaf; a little over that rarely grows.
const INNER_PER_LEAF = 1.5;

/** What a tree holds and what its last `applyChanges` cost. */
export interface TreeStats {
  readonly leaves: number;
  readonly innerNodes: number;
  /** Inner nodes rehashed by the last `applyChanges`. */
  readonly lastRehashed: number;
  /** Bytes of the arenas in use by live nodes. */
  readonly bytesInUse: number;
  /** Bytes of the arenas allocated, including spare capacity. */
  readonly bytesAllocated: number;
}

/** An incrementally updated compact sparse Merkle tree over the market state's records. */
export class SparseMerkleTree {
  private innerLeft = new Int32Array(MIN_CAPACITY);
  private innerRight = new Int32Array(MIN_CAPACITY);
  private innerHash = Buffer.alloc(MIN_CAPACITY * HASH);
  private innerDirty = new Uint8Array(MIN_CAPACITY);
  private innerTop = 1;
  private readonly innerFree: number[] = [];

  private leafKey = Buffer.alloc(MIN_CAPACITY * HASH);
  private leafValue = Buffer.alloc(MIN_CAPACITY * HASH);
  private leafHash = Buffer.alloc(MIN_CAPACITY * HASH);
  private leafTop = 1;
  private readonly leafFree: number[] = [];

  private rootRef = EMPTY_REF;
  private leafCount = 0;
  private rehashed = 0;
  // Set when the key being applied changed something, so the nodes above it turn dirty.
  private touched = false;
  // Reused for every hash input and for the path and value hashes of the key being applied,
  // so applying a key allocates nothing but the digest strings.
  private readonly scratch = Buffer.alloc(1 + 2 * HASH);
  private readonly keyHash = Buffer.alloc(HASH);
  private readonly valueHashOfKey = Buffer.alloc(HASH);

  /**
   * A tree holding these (state key, canonical encoding) records, each node hashed once.
   * `expectedSize` (the record count, when the caller knows it) sizes the arenas up front.
   */
  static fromEntries(entries: Iterable<readonly [string, Uint8Array]>, expectedSize = 0): SparseMerkleTree {
    const tree = new SparseMerkleTree();
    if (expectedSize > MIN_CAPACITY) {
      tree.growLeaves(expectedSize + 1);
      tree.growInner(Math.ceil(expectedSize * INNER_PER_LEAF) + 1);
    }
    tree.applyChanges(entries);
    return tree;
  }

  /** How many records the tree holds. */
  get size(): number {
    return this.leafCount;
  }

  /**
   * Applies a block's changes: each key to the canonical encoding of its new record, or to
   * undefined when the record was deleted. Returns the new root. A key with a lone surrogate
   * throws and leaves the changes before it applied (and hashed): the caller drops the tree.
   */
  applyChanges(changes: Iterable<readonly [string, Uint8Array | undefined]>): Uint8Array {
    this.rehashed = 0;
    try {
      for (const [key, value] of changes) {
        const keyHash = this.pathOf(key);
        this.touched = false;
        if (value === undefined) {
          this.rootRef = this.remove(this.rootRef, 0, keyHash);
        } else {
          sha256Into(value, this.valueHashOfKey, 0);
          this.rootRef = this.insert(this.rootRef, 0, keyHash, this.valueHashOfKey);
        }
      }
    } finally {
      this.rehash(this.rootRef);
    }
    return this.root();
  }

  /** The root: 32 bytes, all zero for an empty tree. */
  root(): Uint8Array {
    return new Uint8Array(this.refHash(this.rootRef));
  }

  /** The root in lowercase hex, as block headers carry it. */
  rootHex(): string {
    return this.refHash(this.rootRef).toString('hex');
  }

  /** The valueHash stored under a key, or undefined when the tree has no such key. */
  valueHash(key: string): Uint8Array | undefined {
    const keyHash = this.pathOf(key);
    const end = this.descend(keyHash, undefined);
    return end < 0 && this.leafKeyIs(-end, keyHash) ? new Uint8Array(this.leafValue.subarray(-end * HASH, -end * HASH + HASH)) : undefined;
  }

  /** A membership proof when the key is present, a non-membership proof when it is not. */
  prove(key: string): StateProof {
    const keyHash = this.pathOf(key);
    const path: string[] = [];
    const end = this.descend(keyHash, path);
    const siblings = path.reverse();
    if (end >= 0 || this.leafKeyIs(-end, keyHash)) return { siblings };
    const at = -end * HASH;
    return {
      siblings,
      occupant: { keyHash: this.leafKey.toString('hex', at, at + HASH), valueHash: this.leafValue.toString('hex', at, at + HASH) },
    };
  }

  /** Counts and bytes, for metrics and the benchmark. */
  stats(): TreeStats {
    const innerNodes = this.innerTop - 1 - this.innerFree.length;
    const innerBytes = 2 * 4 + HASH + 1;
    return {
      leaves: this.leafCount,
      innerNodes,
      lastRehashed: this.rehashed,
      bytesInUse: innerNodes * innerBytes + this.leafCount * 3 * HASH,
      bytesAllocated: this.innerLeft.length * innerBytes + this.leafKey.length * 3,
    };
  }

  // ---- reshaping ----------------------------------------------------------------------

  /** The subtree at `ref` (depth `depth`) with the key set to the value. */
  private insert(ref: number, depth: number, keyHash: Buffer, valueHash: Buffer): number {
    if (ref === EMPTY_REF) return this.newLeaf(keyHash, valueHash);
    if (ref < 0) {
      if (!this.leafKeyIs(-ref, keyHash)) return this.split(ref, this.newLeaf(keyHash, valueHash), depth, keyHash);
      if (!sameHash(this.leafValue, -ref * HASH, valueHash)) {
        this.setLeaf(-ref, keyHash, valueHash);
        this.touched = true;
      }
      return ref;
    }
    const right = bitOf(keyHash, depth) === 1;
    const child = right ? (this.innerRight[ref] as number) : (this.innerLeft[ref] as number);
    const next = this.insert(child, depth + 1, keyHash, valueHash);
    if (right) this.innerRight[ref] = next;
    else this.innerLeft[ref] = next;
    if (this.touched) this.innerDirty[ref] = 1;
    return ref;
  }

  /** An inner subtree at `depth` holding two leaves that share the path to it. */
  private split(existing: number, fresh: number, depth: number, keyHash: Buffer): number {
    const at = -existing * HASH;
    let fork = depth;
    while (bitOf(keyHash, fork) === ((this.leafKey[at + (fork >>> 3)] as number) >>> (7 - (fork & 7))) % 2) fork++;
    let ref = bitOf(keyHash, fork) === 1 ? this.newInner(existing, fresh) : this.newInner(fresh, existing);
    // Above the fork both keys take the same side; the other side is empty.
    for (let level = fork - 1; level >= depth; level--) {
      ref = bitOf(keyHash, level) === 1 ? this.newInner(EMPTY_REF, ref) : this.newInner(ref, EMPTY_REF);
    }
    return ref;
  }

  /** The subtree at `ref` without the key, compacted where one leaf is left alone. */
  private remove(ref: number, depth: number, keyHash: Buffer): number {
    if (ref === EMPTY_REF) return ref;
    if (ref < 0) {
      if (!this.leafKeyIs(-ref, keyHash)) return ref;
      this.freeLeaf(-ref);
      this.touched = true;
      return EMPTY_REF;
    }
    const right = bitOf(keyHash, depth) === 1;
    const child = right ? (this.innerRight[ref] as number) : (this.innerLeft[ref] as number);
    const next = this.remove(child, depth + 1, keyHash);
    if (!this.touched) return ref;
    const other = right ? (this.innerLeft[ref] as number) : (this.innerRight[ref] as number);
    // An inner node holds two leaves or more; down to one, it becomes that leaf.
    if ((next === EMPTY_REF && other < 0) || (next < 0 && other === EMPTY_REF)) {
      this.freeInner(ref);
      return next === EMPTY_REF ? other : next;
    }
    if (right) this.innerRight[ref] = next;
    else this.innerLeft[ref] = next;
    this.innerDirty[ref] = 1;
    return ref;
  }

  /** Follows the key's path to the empty slot or leaf it ends in, collecting siblings top-down. */
  private descend(keyHash: Buffer, siblings: string[] | undefined): number {
    let ref = this.rootRef;
    for (let depth = 0; ref > 0; depth++) {
      const right = bitOf(keyHash, depth) === 1;
      siblings?.push(this.refHash(right ? (this.innerLeft[ref] as number) : (this.innerRight[ref] as number)).toString('hex'));
      ref = right ? (this.innerRight[ref] as number) : (this.innerLeft[ref] as number);
    }
    return ref;
  }

  // ---- hashing ------------------------------------------------------------------------

  /** Rehashes the dirty inner nodes under `ref`, children first. */
  private rehash(ref: number): void {
    if (ref <= 0 || this.innerDirty[ref] === 0) return;
    const left = this.innerLeft[ref] as number;
    const right = this.innerRight[ref] as number;
    this.rehash(left);
    this.rehash(right);
    const scratch = this.scratch;
    scratch[0] = 0x01;
    this.copyHash(left, scratch, 1);
    this.copyHash(right, scratch, 1 + HASH);
    sha256Into(scratch, this.innerHash, ref * HASH);
    this.innerDirty[ref] = 0;
    this.rehashed++;
  }

  private copyHash(ref: number, target: Buffer, offset: number): void {
    if (ref === EMPTY_REF) target.fill(0, offset, offset + HASH);
    else if (ref > 0) copyBytes(this.innerHash, ref * HASH, target, offset);
    else copyBytes(this.leafHash, -ref * HASH, target, offset);
  }

  private refHash(ref: number): Buffer {
    if (ref === EMPTY_REF) return Buffer.alloc(HASH);
    if (ref > 0) return this.innerHash.subarray(ref * HASH, ref * HASH + HASH);
    return this.leafHash.subarray(-ref * HASH, -ref * HASH + HASH);
  }

  // ---- arenas -------------------------------------------------------------------------

  private newLeaf(keyHash: Buffer, valueHash: Buffer): number {
    let id = this.leafFree.pop();
    if (id === undefined) {
      if (this.leafTop * HASH === this.leafKey.length) this.growLeaves(this.leafTop * 2);
      id = this.leafTop++;
    }
    this.setLeaf(id, keyHash, valueHash);
    this.leafCount++;
    this.touched = true;
    return -id;
  }

  private setLeaf(id: number, keyHash: Buffer, valueHash: Buffer): void {
    const at = id * HASH;
    copyBytes(keyHash, 0, this.leafKey, at);
    copyBytes(valueHash, 0, this.leafValue, at);
    const scratch = this.scratch;
    scratch[0] = 0x00;
    copyBytes(keyHash, 0, scratch, 1);
    copyBytes(valueHash, 0, scratch, 1 + HASH);
    sha256Into(scratch, this.leafHash, at);
  }

  private freeLeaf(id: number): void {
    this.leafFree.push(id);
    this.leafCount--;
  }

  private leafKeyIs(id: number, keyHash: Buffer): boolean {
    return sameHash(this.leafKey, id * HASH, keyHash);
  }

  /** The key's path (keyHash), in a buffer reused until the next key. */
  private pathOf(key: string): Buffer {
    if (LONE_SURROGATE.test(key)) throw new TypeError('a state key must be well-formed UTF-16 (no lone surrogates)');
    sha256Into(key, this.keyHash, 0);
    return this.keyHash;
  }

  private newInner(left: number, right: number): number {
    let id = this.innerFree.pop();
    if (id === undefined) {
      if (this.innerTop === this.innerLeft.length) this.growInner(this.innerLeft.length * 2);
      id = this.innerTop++;
    }
    this.innerLeft[id] = left;
    this.innerRight[id] = right;
    this.innerDirty[id] = 1;
    return id;
  }

  private freeInner(id: number): void {
    this.innerDirty[id] = 0;
    this.innerFree.push(id);
  }

  private growInner(capacity: number): void {
    this.innerLeft = grown(this.innerLeft, new Int32Array(capacity));
    this.innerRight = grown(this.innerRight, new Int32Array(capacity));
    this.innerDirty = grown(this.innerDirty, new Uint8Array(capacity));
    this.innerHash = grown(this.innerHash, Buffer.alloc(capacity * HASH));
  }

  private growLeaves(capacity: number): void {
    const bytes = capacity * HASH;
    this.leafKey = grown(this.leafKey, Buffer.alloc(bytes));
    this.leafValue = grown(this.leafValue, Buffer.alloc(bytes));
    this.leafHash = grown(this.leafHash, Buffer.alloc(bytes));
  }
}

/** A block's state changes as the tree takes them: each record as its canonical encoding. */
export function encodedChanges(changes: ReadonlyMap<string, StateValue | undefined>): Map<string, Uint8Array | undefined> {
  const out = new Map<string, Uint8Array | undefined>();
  for (const [key, record] of changes) out.set(key, record === undefined ? undefined : stateValueBytes(record));
  return out;
}

/**
 * SHA-256 of `input` (a string as UTF-8) into `target` at `offset`. The digest comes back as
 * a one-byte string ('binary' is latin1: one char per byte) rather than a Buffer, which would
 * be a fresh ArrayBuffer per hash: half the cost, and no pressure on the collector.
 */
function sha256Into(input: Uint8Array | string, target: Uint8Array, offset: number): void {
  const digest = hash('sha256', input, 'binary');
  for (let i = 0; i < HASH; i++) target[offset + i] = digest.charCodeAt(i);
}

// For 32 bytes a loop beats Buffer#copy and subarray+set, which pay for a call into C++ or a view.
function copyBytes(source: Uint8Array, from: number, target: Uint8Array, to: number): void {
  for (let i = 0; i < HASH; i++) target[to + i] = source[from + i] as number;
}

function sameHash(arena: Uint8Array, at: number, value: Uint8Array): boolean {
  for (let i = 0; i < HASH; i++) if (arena[at + i] !== value[i]) return false;
  return true;
}

function bitOf(path: Buffer, depth: number): number {
  return ((path[depth >>> 3] as number) >>> (7 - (depth & 7))) & 1;
}

function grown<T extends Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
