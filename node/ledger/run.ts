import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Home } from '../home/home.js';
import { openStore, type Store } from '../store/index.js';
import { createSignatureCache, verifyTransactions } from '../crypto/signature-cache.js';
import { createVerifierPool } from '../crypto/verifier-pool.js';
import type { Block } from '../../contracts/index.js';
import { appendEvidence, EVIDENCE_FILE } from '../consensus/evidence-log.js';
import { PrivateValidator } from '../consensus/private-validator.js';
import type { Evidence } from '../consensus/tendermint.js';
import { startLibp2pNetwork } from '../network/libp2p-network.js';
import type { NodeNetwork } from '../network/network.js';
import { LedgerNode, type LedgerNodeOptions } from './ledger-node.js';
import { syncStateFromPeers } from './state-sync.js';
import type { NodeProgress } from './node-health.js';
import { NodeMonitor } from './node-monitor.js';

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
  /** On a network: the node's role, the peers connected, and where consensus is. */
  readonly network?: { readonly role: 'validator' | 'observer'; readonly peers: number; readonly peersNeeded?: number; readonly consensus: { readonly height: number; readonly round: number; readonly step: string } };
  /** Last commit, stall threshold, fault and index: what `lendnet status` judges health by (node-health.ts). */
  readonly progress?: NodeProgress;
}

export const statusPath = (home: string) => join(home, 'status.json');

export interface RunningNode {
  readonly node: LedgerNode;
  /** The node's open store, for a backup taken from a snapshot of it while blocks commit. */
  readonly store: Store;
  /** Resolves if the node hits a fault it cannot go on from (it has stopped making blocks). */
  readonly failed: Promise<unknown>;
  /** The node's progress, index, gossip counters and consensus events, for health and metrics. */
  readonly monitor: NodeMonitor;
  /** Stops making blocks, waits for any block being written, and closes the store. */
  stop(): Promise<void>;
}

/** How a node runs, besides its home. */
export interface RunOptions {
  /** On a network: follow and verify the chain, never propose or vote, even with a key in the validator set. */
  readonly observer?: boolean;
}

/** Status files written by this process, for unique temporary names. */
let statusWrites = 0;

/** Opens a home's store and starts its node, logging every block as one JSON line. */
export async function runNode(home: Home, log: Logger = pino({ level: home.config.logLevel }), run: RunOptions = {}): Promise<RunningNode> {
  const store: Store = await openStore(home.dataDir);
  const pool = createVerifierPool();
  const cache = createSignatureCache();
  const onNetwork = await joinNetwork(home, log, run.observer === true);
  // A fresh node may start from a verified state snapshot of its peers (network.stateSync).
  if (onNetwork && home.config.network?.stateSync) await startFromSnapshot(onNetwork.network, store, home, log.child({ part: 'state-sync' }));
  let fatal: unknown;
  let reportFailure: (error: unknown) => void = () => {};
  const failed = new Promise<unknown>((resolve) => (reportFailure = resolve));
  const monitor = new NodeMonitor(home.config, onNetwork !== undefined);
  if (onNetwork) monitor.countGossip(() => onNetwork.network.host.counters().gossip);
  const node = await LedgerNode.open({
    genesis: home.genesis,
    checkSignatures: (txs) => verifyTransactions(pool, cache, txs),
    config: home.config,
    store,
    validatorKey: home.validatorKey,
    onFatal: (error) => {
      fatal = error;
      monitor.failed(error);
      log.fatal({ err: error }, 'a block could not be committed; the node stopped making blocks');
      process.exitCode = 1;
      reportFailure(error);
    },
    ...onNetwork?.options,
    consensusObserver: monitor.consensus,
  });
  const writeStatus = () => writeStatusFile(home.dir, node, monitor).catch((error: unknown) => log.warn({ err: error }, 'could not write status.json'));
  node.subscribe((block) => {
    log.info({ height: block.height, txs: block.txIds.length, hash: block.hash }, 'committed block');
    monitor.blockCommitted();
    void writeStatus();
  });
  await node.start();
  await writeStatus();
  const heartbeat = setInterval(() => void writeStatus(), 2_000);
  const head = node.status();
  log.info(
    { chainId: node.chainId, height: head.height, stateRoot: head.stateRoot, home: home.dir, ...(onNetwork ? { peerId: onNetwork.network.self, role: node.networkStatus()?.role } : {}) },
    'node started',
  );
  return {
    node,
    store,
    failed,
    monitor,
    async stop() {
      clearInterval(heartbeat);
      await node.stop();
      await onNetwork?.network.stop();
      await pool.close();
      await store.close();
      log.info({ height: node.status().height, fatal: fatal !== undefined }, 'node stopped');
    },
  };
}

async function startFromSnapshot(network: NodeNetwork, store: Store, home: Home, log: Logger): Promise<void> {
  const result = await syncStateFromPeers({ network, store, genesis: home.genesis, log: (level, message, fields) => log[level](fields ?? {}, message) });
  if (result.kind === 'none') log.warn({ refused: result.refused.length }, 'no peer served a state snapshot that checked; syncing every block from height 1');
}

async function writeStatusFile(home: string, node: LedgerNode, monitor: NodeMonitor): Promise<void> {
  const status = node.status();
  const network = node.networkStatus();
  const file: StatusFile = {
    pid: process.pid,
    chainId: node.chainId,
    height: status.height,
    time: status.time,
    hash: status.hash,
    stateRoot: status.stateRoot,
    mempoolSize: status.mempoolSize,
    updatedAt: Math.floor(Date.now() / 1000),
    ...(network ? { network } : {}),
    progress: monitor.progress(),
  };
  // Written aside and renamed, so a reader never sees half a file.
  // Each write has its own temporary name: a block's write and the heartbeat's may overlap.
  const path = statusPath(home);
  const aside = `${path}.${process.pid}.${(statusWrites += 1)}.tmp`;
  await writeFile(aside, `${JSON.stringify(file, null, 2)}\n`);
  await rename(aside, path);
}

/** The last status a node wrote in this home, and whether that node is still running. */
export async function readStatus(home: string): Promise<{ readonly status: StatusFile; readonly running: boolean } | undefined> {
  let text: string;
  try {
    text = await readFile(statusPath(home), 'utf8');
  } catch {
    return undefined;
  }
  const status = parseStatus(text);
  if (!status) throw new Error(`${statusPath(home)} is not a node's status file; if no node runs in ${home}, remove it`);
  return { status, running: isAlive(status.pid) };
}

/** The status file's figures, or undefined when the text is not one (a file left by something else). */
function parseStatus(text: string): StatusFile | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { pid, chainId, height, time, updatedAt } = parsed as Partial<Record<keyof StatusFile, unknown>>;
  const whole = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  if (!whole(pid) || typeof chainId !== 'string' || !whole(height) || !whole(time) || !whole(updatedAt)) return undefined;
  return parsed as StatusFile;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * On a network (the config's network section): the libp2p host, and the signing guard of the
 * node's validator key. The key signs at each height whose validator set holds it (genesis, or a
 * change adopted since); at the others the node follows as an observer. An operator may run a
 * validator's home as an observer (`start --observer`): it then opens no signing guard, so it
 * cannot sign.
 */
async function joinNetwork(home: Home, log: Logger, observer: boolean) {
  const { network: settings, consensus } = home.config;
  if (!settings) return undefined;
  if (!home.nodeSeed) throw new Error('a node on a network needs keys/node.json');
  const chainId = home.genesis.market.params.chainId;
  const network = await startLibp2pNetwork({ chainId, seed: home.nodeSeed, listen: [settings.listen], peers: settings.peers, ...(settings.maxPeers !== undefined ? { maxPeers: settings.maxPeers } : {}), logger: log.child({ part: 'p2p' }) });
  // The signing guard lives beside the keys, not in data/: a node whose data is wiped and synced
  // again still refuses to sign against what it signed before.
  const signer = observer ? null : await PrivateValidator.open(home.dir, home.validatorKey, chainId);
  const timeouts = consensus && {
    propose: { baseMs: consensus.proposeMs, incrementMs: consensus.incrementMs },
    prevote: { baseMs: consensus.voteMs, incrementMs: consensus.incrementMs },
    precommit: { baseMs: consensus.voteMs, incrementMs: consensus.incrementMs },
  };
  const consensusLog = log.child({ part: 'consensus' });
  const evidenceFile = join(home.dataDir, EVIDENCE_FILE);
  const options: Partial<LedgerNodeOptions> = {
    network,
    signer,
    ...(timeouts ? { timeouts } : {}),
    onEvidence: (evidence) => {
      consensusLog.warn({ evidence: evidenceSummary(evidence), file: evidenceFile }, 'validator equivocation recorded');
      appendEvidence(evidenceFile, evidence).catch((error: unknown) => consensusLog.error({ err: error }, 'could not write evidence'));
    },
    log: (level, message, fields) => consensusLog[level](fields ?? {}, message),
  };
  return { network, options };
}

function evidenceSummary(evidence: Evidence<Block>) {
  if (evidence.kind === 'duplicate-vote') {
    const { first, second } = evidence;
    return { kind: evidence.kind, validator: first.validator, height: first.height, round: first.round, type: first.type, votes: [first, second].map((v) => ({ blockHash: v.valueId, signature: v.signature })) };
  }
  const { first, second } = evidence;
  return { kind: evidence.kind, proposer: first.proposer, height: first.height, round: first.round, proposals: [first, second].map((p) => ({ blockHash: p.valueId, signature: p.signature })) };
}
