import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Home } from '../home/home.js';
import { openStore, type Store } from '../store/index.js';
import { createSignatureCache, verifyTransactions } from '../crypto/signature-cache.js';
import { createVerifierPool } from '../crypto/verifier-pool.js';
import { LedgerNode } from './ledger-node.js';

/** What `lendnet status` reads: the running node's figures, rewritten after every block. */
export interface StatusFile {
  readonly pid: number;
  readonly chainId: string;
  readonly height: number;
  readonly time: number;
  readonly hash: string;
  readonly stateRoot: string;
  readonly mempoolSize: number;
  readonly updatedAt: number;
}

export const statusPath = (home: string) => join(home, 'status.json');

export interface RunningNode {
  readonly node: LedgerNode;
  /** Resolves if the node hits a fault it cannot go on from (it has stopped making blocks). */
  readonly failed: Promise<unknown>;
  /** Stops making blocks, waits for any block being written, and closes the store. */
  stop(): Promise<void>;
}

/** Opens a home's store and starts its node, logging every block as one JSON line. */
export async function runNode(home: Home, log: Logger = pino({ level: home.config.logLevel })): Promise<RunningNode> {
  const store: Store = await openStore(home.dataDir);
  const pool = createVerifierPool();
  const cache = createSignatureCache();
  let fatal: unknown;
  let reportFailure: (error: unknown) => void = () => {};
  const failed = new Promise<unknown>((resolve) => (reportFailure = resolve));
  const node = await LedgerNode.open({
    genesis: home.genesis,
    checkSignatures: (txs) => verifyTransactions(pool, cache, txs),
    config: home.config,
    store,
    validatorKey: home.validatorKey,
    onFatal: (error) => {
      fatal = error;
      log.fatal({ err: error }, 'a block could not be committed; the node stopped making blocks');
      process.exitCode = 1;
      reportFailure(error);
    },
  });
  const writeStatus = () => writeStatusFile(home.dir, node).catch((error: unknown) => log.warn({ err: error }, 'could not write status.json'));
  node.subscribe((block) => {
    log.info({ height: block.height, txs: block.txIds.length, hash: block.hash }, 'committed block');
    void writeStatus();
  });
  await node.start();
  await writeStatus();
  const heartbeat = setInterval(() => void writeStatus(), 2_000);
  const head = node.status();
  log.info({ chainId: node.chainId, height: head.height, stateRoot: head.stateRoot, home: home.dir }, 'node started');
  return {
    node,
    failed,
    async stop() {
      clearInterval(heartbeat);
      await node.stop();
      await pool.close();
      await store.close();
      log.info({ height: node.status().height, fatal: fatal !== undefined }, 'node stopped');
    },
  };
}

async function writeStatusFile(home: string, node: LedgerNode): Promise<void> {
  const status = node.status();
  const file: StatusFile = {
    pid: process.pid,
    chainId: node.chainId,
    height: status.height,
    time: status.time,
    hash: status.hash,
    stateRoot: status.stateRoot,
    mempoolSize: status.mempoolSize,
    updatedAt: Math.floor(Date.now() / 1000),
  };
  // Written aside and renamed, so a reader never sees half a file.
  const path = statusPath(home);
  await writeFile(`${path}.tmp`, `${JSON.stringify(file, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

/** The last status a node wrote in this home, and whether that node is still running. */
export async function readStatus(home: string): Promise<{ readonly status: StatusFile; readonly running: boolean } | undefined> {
  let text: string;
  try {
    text = await readFile(statusPath(home), 'utf8');
  } catch {
    return undefined;
  }
  const status = JSON.parse(text) as StatusFile;
  return { status, running: isAlive(status.pid) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
