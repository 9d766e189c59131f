import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { decodeTransaction, bodyDecoder, encodeRecord, genesisState, utf8 } from '../../contracts/index.js';
import { replayBlock } from '../chain/execute.js';
import { DEFAULT_CONFIG, encodeConfig } from '../home/config.js';
import { homePaths, initDevnetHome, loadHome } from '../home/home.js';
import { SparseMerkleTree } from '../state/sparse-merkle-tree.js';
import { openStore } from '../store/index.js';
import { Chain } from './chain.js';

const KILLS = 20;
const child = join(import.meta.dirname, 'crash-child.ts');

/** Runs the loaded node until it has committed something, then SIGKILLs it at a random moment after. */
function runAndKill(home: string, committed: Map<string, number>): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, home], { stdio: ['ignore', 'pipe', 'inherit'] });
    let killTimer: NodeJS.Timeout | undefined;
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const [word, id, height] = line.split(' ');
      if (word !== 'committed' || !id || !height) return;
      committed.set(id, Number(height));
      killTimer ??= setTimeout(() => proc.kill('SIGKILL'), Math.floor(Math.random() * 1_000));
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the node exited by itself (${code})`))));
  });
}

describe('a node killed with SIGKILL under load', () => {
  it(`resumes at its last committed height with the state its blocks give, ${KILLS} times over`, async () => {
    const home = join(await mkdtemp(join(tmpdir(), 'lendnet-crash-')), 'home');
    await initDevnetHome(home, { genesisTime: Math.floor(Date.now() / 1000) });
    await writeFile(homePaths(home).config, encodeConfig({ ...DEFAULT_CONFIG, blockIntervalMs: 10 }));
    const committed = new Map<string, number>();
    let lastHeight = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      await runAndKill(home, committed);
      // every kill leaves a store that opens at a height no lower than any commit reported
      const store = await openStore(homePaths(home).data);
      const head = await store.head();
      await store.close();
      const reported = Math.max(0, ...committed.values());
      expect(head?.height ?? 0).toBeGreaterThanOrEqual(reported);
      expect(head?.height ?? 0).toBeGreaterThanOrEqual(lastHeight);
      lastHeight = head?.height ?? 0;
    }
    expect(committed.size).toBeGreaterThan(KILLS);

    const { genesis } = await loadHome(home);
    const store = await openStore(homePaths(home).data);
    try {
      const chain = await Chain.open(store, genesis);
      // every transaction reported committed is in the block the node named
      for (const [id, height] of committed) expect((await store.getTx(id))?.height).toBe(height);
      // a fresh replay of the stored blocks reaches the stored state root
      const state = genesisState(genesis.market, genesis.validators);
      for (let height = 1; height <= chain.head().height; height++) {
        const block = (await chain.block(height))!;
        const txs = block.txs.map((wire) => decodeTransaction(wire, { bodyOf: bodyDecoder }));
        replayBlock(state, { height, time: block.header.time }, txs);
      }
      const replayedRoot = SparseMerkleTree.fromEntries(state.entries().map(([key, value]) => [key, utf8(encodeRecord(value))] as const)).rootHex();
      expect(replayedRoot).toBe(chain.head().stateRoot);
      console.info(`${KILLS} kills: ${committed.size} transactions reported committed, all present; head ${chain.head().height}; replayed root equal`);
    } finally {
      await store.close();
    }
  }, 180_000);
});
