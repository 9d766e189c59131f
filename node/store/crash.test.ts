import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crashBlock, crashBlockLength, type CrashStoreKind, crashStores, crashTxIds } from './crash-child.js';
import { seededRandom } from '../../contracts/test/seeded-random.js';

/**
 * kill -9 at random instants: a child commits blocks in a loop and prints each height once its
 * commit resolved; the parent SIGKILLs it (sometimes while it is still opening, i.e.
 * recovering from the last kill), reopens the store and checks it holds exactly blocks 1..H
 * for some H ≥ the last printed height, and nothing of H + 1. SEED=… replays the kill times.
 */

const KILLS = 20;
const SEED = Number(process.env.SEED ?? 20_240_601);
const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ChildRun {
  /** The last height the child printed: committed, or found when it opened (0 if neither). */
  readonly reported: number;
  /** Whether the child had opened the store before the kill. */
  readonly opened: boolean;
  /** Milliseconds from the spawn to the child reporting the store open. */
  readonly openMs: number | undefined;
}

/**
 * Runs the child until the kill: `fromSpawnMs` after the spawn if given (may land during
 * start-up and recovery), else `afterOpenMs` after the child reports the store open.
 */
function runChild(kind: CrashStoreKind, dir: string, kill: { fromSpawnMs?: number; afterOpenMs: number }): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, kind, dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let reported = 0;
    let opened = false;
    let openMs: number | undefined;
    const spawned = performance.now();
    let pending = '';
    let stderr = '';
    const killNow = (): void => void child.kill('SIGKILL');
    if (kill.fromSpawnMs !== undefined) setTimeout(killNow, kill.fromSpawnMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('open ')) {
          opened = true;
          openMs = performance.now() - spawned;
          reported = Number(line.slice(5));
          if (kill.fromSpawnMs === undefined) setTimeout(killNow, kill.afterOpenMs);
        } else {
          reported = Number(line);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    // 'close' comes after the pipes are drained, so every height the child printed is counted.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ reported, opened, openMs });
      else reject(new Error(`crash child exited by itself (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
}

/** What the parent knows the store must hold: the state after blocks 1..height. */
class Expected {
  height = 0;
  readonly state = new Map<string, string>();

  advanceTo(height: number): void {
    for (; this.height < height; ) {
      this.height += 1;
      for (const [key, value] of crashBlock(this.height).stateChanges) {
        if (value === undefined) this.state.delete(key);
        else this.state.set(key, Buffer.from(value).toString('latin1'));
      }
    }
  }
}

const same = (actual: Uint8Array | undefined, expected: Uint8Array): boolean =>
  actual !== undefined && Buffer.from(expected).equals(actual);

/**
 * Reopens the store and checks it is exactly at some height H in [low, high]:
 * blocks from `fullFrom` on compared byte for byte, every block's commit and txs present,
 * nothing of H + 1, and the state equal to the state after blocks 1..H.
 */
async function checkStore(
  kind: CrashStoreKind,
  dir: string,
  [low, high]: readonly [number, number],
  expected: Expected,
  fullFrom: number,
): Promise<number> {
  const store = await crashStores[kind](dir);
  try {
    const head = await store.head();
    const height = head?.height ?? 0;
    expect(height, 'head below a height already reported committed').toBeGreaterThanOrEqual(low);
    expect(height, 'head past the one commit that may have been in flight').toBeLessThanOrEqual(high);
    if (head) expect(same(head.hash, crashBlock(height).hash)).toBe(true);

    const utf8 = new TextEncoder();
    for (let h = 1; h <= height; h += 1) {
      const block = await store.getBlock(h);
      // Blocks checked by an earlier pass: their length; later ones: byte for byte.
      if (h >= fullFrom) expect(same(block, crashBlock(h).block), `block ${h}`).toBe(true);
      else expect(block?.length, `block ${h}`).toBe(crashBlockLength(h));
      expect(same(await store.getCommit(h), utf8.encode(`commit ${h}`)), `commit ${h}`).toBe(true);
      const ids = crashTxIds(h);
      for (const [index, id] of ids.entries()) expect(await store.getTx(id), `tx of block ${h}`).toEqual({ height: h, index });
    }

    // Nothing of the block after the head.
    const next = crashBlock(height + 1);
    expect(await store.getBlock(height + 1)).toBeUndefined();
    expect(await store.getCommit(height + 1)).toBeUndefined();
    for (const [id] of next.txs) expect(await store.getTx(id)).toBeUndefined();
    expect(await store.getNodeData(`n/${height + 1}`)).toBeUndefined();
    if (height > 0) expect(await store.getNodeData(`n/${height}`)).toEqual(new TextEncoder().encode(`node ${height}`));
    expect(await store.getNodeData(`n/${height - 1}`)).toBeUndefined();

    expected.advanceTo(height);
    const stored = new Map<string, string>();
    for await (const [key, value] of store.iterateState()) stored.set(key, Buffer.from(value).toString('latin1'));
    expect(stored).toEqual(expected.state);
    return height;
  } finally {
    await store.close();
  }
}

// Concurrent: the two stores' children and checks interleave, halving the wall time.
describe.concurrent.each(['level', 'lmdb'] as const)('crash safety: %s', (kind) => {
  it(`resumes at the last committed block after ${KILLS} kill -9s (SEED=${SEED})`, async () => {
    const dir = await mkdtemp(join(tmpdir(), `lendnet-crash-${kind}-`));
    const next = seededRandom(SEED);
    const expected = new Expected();
    let verified = 0;
    let killedWhileOpening = 0;
    let openMs = 800;
    let unreported = 0;
    try {
      for (let kill = 0; kill < KILLS; kill += 1) {
        // One kill in four within the child's start-up time as last measured, so some land while
        // the store opens and recovers from the previous kill.
        const fromSpawn = next() < 0.25;
        const run = await runChild(kind, dir, fromSpawn ? { fromSpawnMs: next() * openMs * 1.1, afterOpenMs: 0 } : { afterOpenMs: next() * 250 });
        if (!run.opened) killedWhileOpening += 1;
        openMs = run.openMs ?? openMs;
        // A child that never opened the store committed nothing; one that did may have one commit unreported.
        const bounds = run.opened ? ([run.reported, run.reported + 1] as const) : ([verified, verified] as const);
        verified = await checkStore(kind, dir, bounds, expected, Math.max(1, verified - 1));
        if (run.opened && verified === run.reported + 1) unreported += 1;
      }
      // A last pass compares every block byte for byte.
      expect(await checkStore(kind, dir, [verified, verified], expected, 1)).toBe(verified);
      expect(verified, 'the children committed blocks').toBeGreaterThan(KILLS);
      console.log(
        `${kind}: ${KILLS} kills, head ${verified}, ${killedWhileOpening} before the store was open, ` +
          `${unreported} after a commit landed but before the child printed it`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
