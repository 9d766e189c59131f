import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeRecord, MarketState, utf8, type StateValue } from '../../contracts/index.js';
import { SparseMerkleTree } from '../../node/state/sparse-merkle-tree.js';
import { rounded, type BenchCase, type BenchFigure } from '../harness.js';

/**
 * The node's in-memory state at 1,000,000 accounts: a MarketState holding, per account, an
 * account record {nonce, openOrders: 0} and a USD balance (2,000,000 records), and the
 * SparseMerkleTree over those records' canonical encodings, built as Chain.open builds them at
 * start-up. Account ids are synthetic 64-hex strings. Reports heap after a full gc per account,
 * RSS, and the time to build both.
 */

const ACCOUNTS = 1_000_000;

function collector(): { collect: () => void; how: string } | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return { collect: exposed, how: 'after gc (--expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    return { collect: runInNewContext('gc') as () => void, how: 'after gc (enabled at run time with v8.setFlagsFromString)' };
  } catch {
    return undefined;
  }
}

function memoryNow(gc: (() => void) | undefined) {
  gc?.();
  gc?.();
  return process.memoryUsage();
}

const accountId = (i: number) => (i * 2_654_435_761 + 0x9e3779b9).toString(16).padStart(16, '0').repeat(4).slice(0, 48) + i.toString(16).padStart(16, '0');

function* records(): Generator<readonly [string, StateValue]> {
  for (let i = 0; i < ACCOUNTS; i++) {
    const pk = accountId(i);
    yield [`account/${pk}`, { nonce: BigInt(i % 97), openOrders: 0 }];
    yield [`balance/${pk}/USD`, BigInt(1_000_000 + i)];
  }
}

const bench: BenchCase = {
  name: 'node-memory',
  run(): BenchFigure[] {
    const gc = collector();
    const base = memoryNow(gc?.collect);

    const stateStarted = performance.now();
    const state = MarketState.fromRecords(records());
    const stateMs = performance.now() - stateStarted;
    const afterState = memoryNow(gc?.collect);

    const treeStarted = performance.now();
    const tree = SparseMerkleTree.fromEntries(
      (function* () {
        for (const [key, value] of state.entries()) yield [key, utf8(encodeRecord(value))] as const;
      })(),
      ACCOUNTS * 2,
    );
    const root = tree.rootHex();
    const treeMs = performance.now() - treeStarted;
    const afterTree = memoryNow(gc?.collect);

    const perAccount = (bytes: number) => rounded(bytes / ACCOUNTS);
    const stateHeap = afterState.heapUsed - base.heapUsed;
    const stateBuffers = afterState.arrayBuffers - base.arrayBuffers;
    const treeHeap = afterTree.heapUsed - afterState.heapUsed;
    const treeBuffers = afterTree.arrayBuffers - afterState.arrayBuffers;
    const how = gc?.how ?? 'without gc (no collector available)';
    const mib = (bytes: number) => rounded(bytes / 2 ** 20, 1);
    // Keep both alive until measured.
    if (state.get(`account/${accountId(ACCOUNTS - 1)}`) === undefined) throw new Error('the state lost an account');

    return [
      {
        name: `state + tree, ${ACCOUNTS} accounts (${2 * ACCOUNTS} records): heap + array buffers per account, ${how}`,
        value: perAccount(stateHeap + stateBuffers + treeHeap + treeBuffers),
        unit: 'bytes/account',
        note: `heap ${mib(afterTree.heapUsed)} MiB, array buffers ${mib(afterTree.arrayBuffers)} MiB (over a base of ${mib(base.heapUsed)} MiB heap)`,
      },
      { name: `MarketState.fromRecords: heap per account, ${how}`, value: perAccount(stateHeap), unit: 'bytes/account', note: `array buffers ${perAccount(stateBuffers)} bytes/account` },
      {
        name: `SparseMerkleTree.fromEntries over encodeRecord values: heap + array buffers per account, ${how}`,
        value: perAccount(treeHeap + treeBuffers),
        unit: 'bytes/account',
        note: `heap ${perAccount(treeHeap)}, array buffers ${perAccount(treeBuffers)} bytes/account; root ${root.slice(0, 16)}…`,
      },
      { name: 'RSS with state and tree built', value: mib(afterTree.rss), unit: 'MiB', note: `RSS before building: ${mib(base.rss)} MiB` },
      {
        name: 'start-up build time: MarketState.fromRecords + SparseMerkleTree.fromEntries',
        value: rounded(stateMs + treeMs),
        unit: 'ms',
        note: `state ${rounded(stateMs)} ms (including generating the records), tree ${rounded(treeMs)} ms (including encodeRecord and utf8)`,
      },
    ];
  },
};

export default bench;
