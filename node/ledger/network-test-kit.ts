import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bodyDecoder, type CanonicalValue, checkCommit, decodeTransaction, devnetParams, type KeyPair, signTransaction } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { PrivateValidator } from '../consensus/private-validator.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import { DEFAULT_CONFIG } from '../home/config.js';
import type { Genesis } from '../home/genesis-file.js';
import { createMemoryHub, type MemoryHub } from '../network/memory-network.js';
import type { GossipTopic, NodeNetwork, Verdict } from '../network/network.js';
import { openMemoryStore } from '../store/index.js';
import { Chain } from './chain.js';
import { LedgerNode, type SubmitResult, verifyInThisThread } from './ledger-node.js';

/**
 * Helpers for tests of LedgerNodes joined by the in-process hub: a genesis for a set of
 * validator keys, members started with short round timeouts and a record of every gossip
 * verdict they give, polling waits, and checks that members hold one chain.
 */

/** Round timeouts short enough for tests, as network.test.ts uses. */
export const TEST_TIMEOUTS = {
  propose: { baseMs: 400, incrementMs: 200 },
  prevote: { baseMs: 200, incrementMs: 200 },
  precommit: { baseMs: 200, incrementMs: 200 },
};

/** A genesis whose validators are these keys, one power each, in this order (the proposer rotation). */
export function networkGenesis(chainId: string, validators: readonly KeyPair[]): Genesis {
  const issuer = testKey('issuer');
  return {
    genesisTime: 1_000,
    market: {
      params: devnetParams(chainId),
      assets: [
        { id: 'USD', name: 'Lendnet dollar', decimals: 6, issuer: issuer.account },
        { id: 'COL', name: 'Collateral', decimals: 8, issuer: issuer.account },
      ],
      allocations: [],
    },
    validators: validators.map((key) => ({ account: key.account, power: 1 })),
  };
}

/** What a member made of one gossip message from a peer. */
export interface HeardVerdict {
  readonly topic: GossipTopic;
  readonly from: string;
  readonly verdict: Verdict;
}

export interface Member {
  readonly name: string;
  readonly node: LedgerNode;
  /** The validator key, or null for an observer. */
  readonly key: KeyPair | null;
  readonly fatal: unknown[];
  /** Every verdict this member gave, in the order it gave them. */
  readonly verdicts: HeardVerdict[];
}

/** The network a node joins, with each verdict its handlers give written down. */
export function recordingNetwork(network: NodeNetwork, verdicts: HeardVerdict[]): NodeNetwork {
  return {
    self: network.self,
    publish: (topic, bytes) => network.publish(topic, bytes),
    subscribe: (topic, handler) =>
      network.subscribe(topic, async (bytes, from) => {
        const verdict = await handler(bytes, from);
        verdicts.push({ topic, from, verdict });
        return verdict;
      }),
    requestBlocks: (from, to) => network.requestBlocks(from, to),
    serveBlocks: (handler) => network.serveBlocks(handler),
    requestStatuses: () => network.requestStatuses(),
    serveStatus: (handler) => network.serveStatus(handler),
    requestSnapshot: (peer, request) => network.requestSnapshot(peer, request),
    serveSnapshots: (handler) => network.serveSnapshots(handler),
    penalise: (peer) => network.penalise(peer),
    peers: () => network.peers(),
  };
}

/** LedgerNodes of one genesis on one hub, started for a test and stopped after it. */
export class TestNetwork {
  readonly hub: MemoryHub = createMemoryHub({ delayMs: 1 });
  readonly members: Member[] = [];
  private readonly folders: string[] = [];

  constructor(readonly genesis: Genesis) {}

  get chainId(): string {
    return this.genesis.market.params.chainId;
  }

  /**
   * Starts a member; `clock` (whole seconds) stands in for its system clock, as a validator's
   * clock that is off, and `timeouts` for TEST_TIMEOUTS.
   */
  async start(name: string, key: KeyPair | null, options: { readonly clock?: () => number; readonly timeouts?: typeof TEST_TIMEOUTS } = {}): Promise<Member> {
    const folder = await mkdtemp(join(tmpdir(), 'lendnet-byzantine-'));
    this.folders.push(folder);
    const fatal: unknown[] = [];
    const verdicts: HeardVerdict[] = [];
    const node = await LedgerNode.open({
      genesis: this.genesis,
      checkSignatures: verifyInThisThread,
      config: { ...DEFAULT_CONFIG, blockIntervalMs: 50 },
      store: await openMemoryStore(),
      validatorKey: key ?? testKey(`observer-${name}`),
      onFatal: (error) => fatal.push(error),
      network: recordingNetwork(this.hub.join(name), verdicts),
      signer: key ? await PrivateValidator.open(folder, key, this.chainId) : null,
      timeouts: options.timeouts ?? TEST_TIMEOUTS,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    await node.start();
    const member: Member = { name, node, key, fatal, verdicts };
    this.members.push(member);
    return member;
  }

  async stop(): Promise<void> {
    for (const member of this.members.splice(0)) await member.node.stop();
    for (const folder of this.folders.splice(0)) await rm(folder, { recursive: true, force: true });
  }
}

/** Polls `condition` every 20 ms until it holds; throws naming `what` after `ms`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Signs transactions of one chain, counting each signer's nonces; `unused` takes back the nonce of one that was refused. */
export interface TransactionSigner {
  (signer: KeyPair, type: string, body: CanonicalValue): string;
  unused(signer: KeyPair): void;
}

export function transactions(chainId: string): TransactionSigner {
  const nonces = new Map<string, bigint>();
  const sign = (signer: KeyPair, type: string, body: CanonicalValue): string => {
    const nonce = nonces.get(signer.account) ?? 0n;
    nonces.set(signer.account, nonce + 1n);
    return signTransaction({ chainId, type, signer: signer.account, nonce, body }, signer.secretKey).encoded;
  };
  return Object.assign(sign, { unused: (signer: KeyPair) => void nonces.set(signer.account, (nonces.get(signer.account) ?? 1n) - 1n) });
}

/** Faucet transactions of one chain, with each user's nonces counted here. */
export function faucets(chainId: string): (user: KeyPair, amount: bigint) => string {
  const sign = transactions(chainId);
  return (user, amount) => sign(user, 'faucet', { asset: 'USD', amount });
}

/** The height a transaction was committed at; throws naming the refusal otherwise. */
export function committedHeight(result: SubmitResult): number {
  if (result.status !== 'committed') throw new Error(`refused: ${result.code}: ${result.message}`);
  return result.height;
}

/**
 * Waits until the members stand at one height, then checks that they hold the same headers
 * (hashes, state roots) at every height, each with a valid commit certificate. Returns the height.
 */
export async function oneChain(genesis: Genesis, members: readonly Member[]): Promise<number> {
  await waitFor('the members to reach one height', () => members.every((m) => m.node.status().height === members[0]!.node.status().height));
  const top = members[0]!.node.status().height;
  const faults: string[] = [];
  for (let height = 1; height <= top; height++) {
    const blocks = await Promise.all(members.map((m) => m.node.block(height)));
    const commits = await Promise.all(members.map((m) => m.node.commitOf(height)));
    blocks.forEach((block, i) => {
      const name = members[i]!.name;
      if (!block || !commits[i]) return faults.push(`${name} has no block or commit at ${height}`);
      if (JSON.stringify(block.header) !== JSON.stringify(blocks[0]!.header)) faults.push(`${name} differs at ${height}`);
      // Each block is committed by the validator set of its height.
      const fault = checkCommit(block.header, commits[i]!, members[i]!.node.validatorsAt(height), fastVerify);
      if (fault) faults.push(`${name}'s commit of ${height}: ${fault}`);
      return undefined;
    });
  }
  if (faults.length > 0) throw new Error(faults.join('; '));
  const roots = new Set(members.map((m) => m.node.status().stateRoot));
  if (roots.size !== 1) throw new Error(`the members' state roots differ: ${[...roots].join(', ')}`);
  return top;
}

/** A Chain of a test's own, kept level with one node's committed blocks. */
export interface FollowedChain {
  readonly chain: Chain;
  /** What went wrong while following (a block that did not re-execute here). */
  readonly errors: unknown[];
}

/**
 * Follows a node's committed blocks on a Chain of its own (each block re-executed here), so a
 * test can build valid next blocks as a validator outside the LedgerNode would. `onHead` is
 * called with each height the copy reaches.
 */
export async function followChain(genesis: Genesis, node: LedgerNode, onHead: (height: number) => void = () => undefined): Promise<FollowedChain> {
  const chain = await Chain.open(await openMemoryStore(), genesis);
  const errors: unknown[] = [];
  let following: Promise<void> = Promise.resolve();
  const catchUp = async () => {
    while (chain.head().height < node.status().height) {
      const height = chain.head().height + 1;
      const [block, commit] = await Promise.all([node.block(height), node.commitOf(height)]);
      if (!block || !commit) return;
      const txs = block.txs.map((wire) => decodeTransaction(wire, { chainId: genesis.market.params.chainId, bodyOf: bodyDecoder }));
      await chain.commitEvaluated(chain.evaluate(block, txs), commit);
      onHead(height);
    }
  };
  node.subscribe(() => {
    following = following.then(catchUp).catch((error: unknown) => {
      errors.push(error);
    });
  });
  return { chain, errors };
}
