import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { verifyStateProof } from '../../contracts/proofs/state-proof.js';
import { SparseMerkleTree } from '../../node/state/sparse-merkle-tree.js';
import { rounded, type BenchCase, type BenchFigure } from '../harness.js';

/**
 * The state root's cost on a tree of 1,000,000 records: heap per leaf, the build at start-up,
 * and the incremental update of blocks of 1,000 changed keys (800 updates, 100 inserts, 100
 * deletes, so the tree keeps its size), timed through `applyChanges` including the key and
 * value hashing. Keys are balance-like (`balance/<64 hex>/usd`), values ~200-byte records.
 */

const LEAVES = 1_000_000;
const BLOCK_KEYS = 1000;
const BLOCKS = 200;
const PROOFS = 2000;

const encoder = new TextEncoder();
const keyOf = (i: number) => `balance/${i.toString(16).padStart(64, '0')}/usd`;
const valueOf = (i: number, version: number) =>
  encoder.encode(`{"amount":"${i * 7919 + version}","asset":"usd","createdAt":"1700000000","owner":"${i.toString(16).padStart(64, 'a')}","remaining":"${version}","term":"31536000"}`);

/** A seeded xorshift, so every run changes the same keys. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** A full collection, from --expose-gc or else by turning the flag on now; undefined if neither works. */
function collector(): { collect: () => void; how: string } | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return { collect: exposed, how: 'after gc (--expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    return { collect: gc, how: 'after gc (enabled at run time with v8.setFlagsFromString)' };
  } catch {
    return undefined;
  }
}

function heapNow(gc: (() => void) | undefined): { heap: number; buffers: number } {
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}

function* initialEntries(): Generator<readonly [string, Uint8Array]> {
  for (let i = 0; i < LEAVES; i++) yield [keyOf(i), valueOf(i, 0)];
}

const bench: BenchCase = {
  name: 'state-root',
  run(): BenchFigure[] {
    const gc = collector();
    const before = heapNow(gc?.collect);
    const buildStart = process.hrtime.bigint();
    const tree = SparseMerkleTree.fromEntries(initialEntries(), LEAVES);
    const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;
    const after = heapNow(gc?.collect);
    const stats = tree.stats();
    const heapBytes = after.heap - before.heap;
    const bufferBytes = after.buffers - before.buffers;
    const memoryNote = gc ? gc.how : 'no gc available: a delta without collection, so it includes garbage';

    // Blocks prepared before timing: which keys change and their encoded values.
    const next = random(0x5eed);
    const live = Array.from({ length: LEAVES }, (_, i) => i);
    let nextId = LEAVES;
    const version = new Int32Array(LEAVES + BLOCKS * BLOCK_KEYS);
    const blocks: Array<Map<string, Uint8Array | undefined>> = [];
    for (let b = 0; b < BLOCKS; b++) {
      const changes = new Map<string, Uint8Array | undefined>();
      while (changes.size < BLOCK_KEYS * 0.8) {
        const id = live[Math.floor(next() * live.length)] as number;
        changes.set(keyOf(id), valueOf(id, b + 1));
        version[id] = b + 1;
      }
      for (let n = 0; n < BLOCK_KEYS * 0.1; n++, nextId++) {
        changes.set(keyOf(nextId), valueOf(nextId, 0));
        live.push(nextId);
      }
      while (changes.size < BLOCK_KEYS) {
        const slot = Math.floor(next() * live.length);
        const id = live[slot] as number;
        if (changes.has(keyOf(id))) continue;
        changes.set(keyOf(id), undefined);
        live[slot] = live[live.length - 1] as number;
        live.pop();
      }
      blocks.push(changes);
    }

    const perKeyUs: number[] = [];
    let rehashed = 0;
    for (const changes of blocks) {
      const started = process.hrtime.bigint();
      tree.applyChanges(changes);
      perKeyUs.push(Number(process.hrtime.bigint() - started) / 1e3 / changes.size);
      rehashed += tree.stats().lastRehashed;
    }
    const sorted = [...perKeyUs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    const p95 = sorted[Math.floor(sorted.length * 0.95)] as number;

    // Proofs against the final root: their depth, and the cost to make and to verify (noble).
    const root = tree.rootHex();
    const sampled = Array.from({ length: PROOFS }, () => live[Math.floor(next() * live.length)] as number);
    let depth = 0;
    const proveStart = process.hrtime.bigint();
    const proofs = sampled.map((id) => tree.prove(keyOf(id)));
    const proveUs = Number(process.hrtime.bigint() - proveStart) / 1e3 / PROOFS;
    const values = sampled.map((id) => valueOf(id, version[id] as number));
    const verifyStart = process.hrtime.bigint();
    sampled.forEach((id, i) => {
      const proof = proofs[i]!;
      depth += proof.siblings.length;
      if (!verifyStateProof(root, keyOf(id), values[i], proof)) throw new Error('a membership proof failed in the benchmark');
    });
    const verifyUs = Number(process.hrtime.bigint() - verifyStart) / 1e3 / PROOFS;

    return [
      {
        name: `state-root update, blocks of ${BLOCK_KEYS} changed keys (80% update, 10% insert, 10% delete) on ${LEAVES} leaves, median block`,
        value: rounded(median, 2),
        unit: 'µs/key',
        note: `${rounded((median * BLOCK_KEYS) / 1000, 1)} ms a block; p95 ${rounded(p95, 2)} µs/key; ${rounded(rehashed / (BLOCKS * BLOCK_KEYS), 2)} inner nodes rehashed per changed key; ${BLOCKS} blocks`,
      },
      {
        name: `heap per leaf, tree of ${LEAVES} leaves (heapUsed + arrayBuffers delta)`,
        value: rounded((heapBytes + bufferBytes) / LEAVES, 1),
        unit: 'bytes/leaf',
        note: `${memoryNote}; heapUsed ${rounded(heapBytes / LEAVES, 1)} + arrayBuffers ${rounded(bufferBytes / LEAVES, 1)} B/leaf; arenas in use ${rounded(stats.bytesInUse / stats.leaves, 1)} B/leaf, allocated ${rounded(stats.bytesAllocated / stats.leaves, 1)} B/leaf; ${rounded(stats.innerNodes / stats.leaves, 3)} inner nodes per leaf`,
      },
      { name: `build at start-up (fromEntries) of ${LEAVES} leaves`, value: rounded(buildMs / 1000, 2), unit: 's' },
      {
        name: `state proof on ${tree.size} leaves: prove (node) / verify (contracts, noble)`,
        value: rounded(proveUs, 2),
        unit: 'µs/proof',
        note: `verify ${rounded(verifyUs, 1)} µs/proof; mean depth ${rounded(depth / PROOFS, 2)} siblings (~${Math.round((depth / PROOFS) * 64 + 20)} bytes of JSON)`,
      },
    ];
  },
};

export default bench;
