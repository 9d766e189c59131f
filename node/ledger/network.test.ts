import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CanonicalValue, devnetParams, type KeyPair, signTransaction } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { PrivateValidator } from '../consensus/private-validator.js';
import { DEFAULT_CONFIG } from '../home/config.js';
import type { Genesis } from '../home/genesis-file.js';
import { createMemoryHub, type MemoryHub } from '../network/memory-network.js';
import { openMemoryStore, type MemoryStoreData } from '../store/index.js';
import { LedgerNode, type SubmitResult, verifyInThisThread } from './ledger-node.js';

/**
 * Four validators (and an observer) in one process, joined by the in-process hub: the same
 * LedgerNode, Tendermint engine, signing guard and sync that run between processes, with the
 * hub in place of libp2p.
 */

const CHAIN = 'lendnet-network-test';
const keys = [0, 1, 2, 3].map((i) => testKey(`network-validator-${i}`));
const issuer = testKey('issuer');
const users = Array.from({ length: 8 }, (_, i) => testKey(`network-user-${i}`));

const genesis: Genesis = {
  genesisTime: 1_000,
  market: {
    params: devnetParams(CHAIN),
    assets: [
      { id: 'USD', name: 'Lendnet dollar', decimals: 6, issuer: issuer.account },
      { id: 'COL', name: 'Collateral', decimals: 8, issuer: issuer.account },
    ],
    allocations: [],
  },
  validators: keys.map((key) => ({ account: key.account, power: 1 })),
};

const TIMEOUTS = {
  propose: { baseMs: 400, incrementMs: 200 },
  prevote: { baseMs: 200, incrementMs: 200 },
  precommit: { baseMs: 200, incrementMs: 200 },
};

interface Member {
  readonly name: string;
  node: LedgerNode;
  readonly data: MemoryStoreData;
  readonly dir: string;
  readonly key: KeyPair | null;
  readonly fatal: unknown[];
}

const running: Member[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const member of running.splice(0)) await member.node.stop();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function startMember(hub: MemoryHub, name: string, key: KeyPair | null, data: MemoryStoreData = new Map(), dir?: string): Promise<Member> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'lendnet-network-')));
  if (!dir) folders.push(folder);
  const fatal: unknown[] = [];
  const node = await LedgerNode.open({
    genesis,
    checkSignatures: verifyInThisThread,
    config: { ...DEFAULT_CONFIG, blockIntervalMs: 50 },
    store: await openMemoryStore(data),
    validatorKey: key ?? testKey(`observer-${name}`),
    onFatal: (error) => fatal.push(error),
    network: hub.join(name),
    signer: key ? await PrivateValidator.open(folder, key, CHAIN) : null,
    timeouts: TIMEOUTS,
  });
  await node.start();
  const member = { name, node, data, dir: folder, key, fatal };
  running.push(member);
  return member;
}

async function stopMember(hub: MemoryHub, member: Member): Promise<void> {
  hub.leave(member.name);
  await member.node.stop();
  running.splice(running.indexOf(member), 1);
}

const nonces = new Map<string, bigint>();
function tx(user: KeyPair, type: string, body: CanonicalValue): string {
  const nonce = nonces.get(user.account) ?? 0n;
  nonces.set(user.account, nonce + 1n);
  return signTransaction({ chainId: CHAIN, type, signer: user.account, nonce, body }, user.secretKey).encoded;
}

async function waitFor(condition: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every member holds the same blocks (by hash) up to the lowest head, and the same state root at it. */
async function sameChain(members: readonly Member[]): Promise<number> {
  const lowest = Math.min(...members.map((m) => m.node.status().height));
  for (let height = 1; height <= lowest; height++) {
    const headers = await Promise.all(members.map(async (m) => (await m.node.block(height))!.header));
    for (const header of headers) expect(header).toEqual(headers[0]);
  }
  return lowest;
}

describe('a network of four validators (in one process)', () => {
  it('commits the same chain on every node; transactions sent to whichever node are committed once; an observer follows', async () => {
    nonces.clear();
    const hub = createMemoryHub({ delayMs: 1 });
    const members = await Promise.all(keys.map((key, i) => startMember(hub, `v${i}`, key)));
    const observer = await startMember(hub, 'observer', null);
    const results: Promise<SubmitResult>[] = [];
    for (let round = 0; round < 3; round++) {
      users.forEach((user, i) => results.push(members[i % 4]!.node.submit(tx(user, 'faucet', { asset: 'USD', amount: 1_000n }))));
    }
    const settled = await Promise.all(results);
    expect(settled.map((r) => r.status)).toEqual(settled.map(() => 'committed'));
    const heights = settled.map((r) => (r.status === 'committed' ? r.height : 0));
    await waitFor(() => [...members, observer].every((m) => m.node.status().height >= Math.max(...heights)));
    const top = await sameChain([...members, observer]);
    expect(top).toBeGreaterThanOrEqual(1);
    for (const m of [...members, observer]) {
      expect(m.node.status().stateRoot).toBe(members[0]!.node.status().stateRoot);
      for (const user of users) expect(m.node.account(user.account).balances.USD).toBe(3_000n);
    }
    // Every block's commit certificate is a quorum of the four.
    const commit = await members[0]!.node.commitOf(1);
    expect(commit!.precommits.length).toBeGreaterThanOrEqual(3);
    expect(members.every((m) => m.fatal.length === 0)).toBe(true);
  });

  it('keeps committing with one validator down; the restarted validator syncs and rejoins', async () => {
    nonces.clear();
    const hub = createMemoryHub({ delayMs: 1 });
    const members = await Promise.all(keys.map((key, i) => startMember(hub, `v${i}`, key)));
    const first = await members[0]!.node.submit(tx(users[0]!, 'faucet', { asset: 'USD', amount: 5n }));
    expect(first.status).toBe('committed');
    const down = members[3]!;
    await stopMember(hub, down);
    // Three of four keep going, through the rounds the stopped one should have proposed.
    for (let i = 0; i < 6; i++) {
      const result = await members[i % 3]!.node.submit(tx(users[1]!, 'faucet', { asset: 'USD', amount: 7n }));
      expect(result.status).toBe('committed');
    }
    const head = members[0]!.node.status().height;
    expect(head).toBeGreaterThan(down.node.status().height);
    const back = await startMember(hub, 'v3', down.key, down.data, down.dir);
    // New work lets it hear the network is ahead; it syncs, then votes again.
    const after = await members[1]!.node.submit(tx(users[2]!, 'faucet', { asset: 'USD', amount: 1n }));
    expect(after.status).toBe('committed');
    await waitFor(() => back.node.status().height >= members[0]!.node.status().height);
    await sameChain([...members.slice(0, 3), back]);
    expect(back.node.account(users[1]!.account).balances.USD).toBe(42n);
  });

  it('a 2|2 partition commits nothing; after healing one chain resumes', async () => {
    nonces.clear();
    const hub = createMemoryHub({ delayMs: 1 });
    const members = await Promise.all(keys.map((key, i) => startMember(hub, `v${i}`, key)));
    hub.partition(['v0', 'v1'], ['v2', 'v3']);
    const before = members.map((m) => m.node.status().height);
    const pending = [members[0]!.node.submit(tx(users[3]!, 'faucet', { asset: 'USD', amount: 9n })), members[2]!.node.submit(tx(users[4]!, 'faucet', { asset: 'USD', amount: 9n }))];
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(members.map((m) => m.node.status().height)).toEqual(before);
    hub.heal();
    const results = await Promise.all(pending);
    expect(results.map((r) => r.status)).toEqual(['committed', 'committed']);
    await waitFor(() => members.every((m) => m.node.status().height === members[0]!.node.status().height));
    await sameChain(members);
  });
});
