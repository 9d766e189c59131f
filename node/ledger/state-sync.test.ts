import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type KeyPair, utf8 } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { PrivateValidator } from '../consensus/private-validator.js';
import { DEFAULT_CONFIG } from '../home/config.js';
import { createMemoryHub, type MemoryHub } from '../network/memory-network.js';
import type { NodeNetwork } from '../network/network.js';
import { decodeSnapshotChunk, decodeSnapshotRequest, encodeSnapshotChunks } from '../network/snapshot-protocol.js';
import { type MemoryStoreData, openMemoryStore, type Store } from '../store/index.js';
import { LedgerNode, verifyInThisThread } from './ledger-node.js';
import { faucets, networkGenesis, TEST_TIMEOUTS, waitFor } from './network-test-kit.js';
import { type StateSyncResult, syncStateFromPeers } from './state-sync.js';

/**
 * Nodes that join a running network from a state snapshot (in one process, on the in-process
 * hub): they reach the same blocks and state as a node that replayed every block, refuse a
 * snapshot whose records were altered or whose chunks are cut or garbage, and write nothing of
 * a snapshot that does not check.
 */

const CHAIN = 'lendnet-state-sync-test';
const keys = [0, 1, 2, 3].map((i) => testKey(`state-sync-validator-${i}`));
const users = Array.from({ length: 6 }, (_, i) => testKey(`state-sync-user-${i}`));
const genesis = networkGenesis(CHAIN, keys);

interface Running {
  readonly name: string;
  readonly node: LedgerNode;
  readonly data: MemoryStoreData;
  readonly fatal: unknown[];
}

const running: Running[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const member of running.splice(0)) await member.node.stop();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Starts a node on the hub; with `stateSync`, it first takes a snapshot from its peers (the result is returned). */
async function start(
  hub: MemoryHub,
  name: string,
  key: KeyPair | null,
  options: { readonly stateSync?: boolean; readonly data?: MemoryStoreData; readonly folder?: string } = {},
): Promise<Running & { readonly folder: string; readonly sync?: StateSyncResult }> {
  const folder = options.folder ?? (await mkdtemp(join(tmpdir(), 'lendnet-state-sync-')));
  if (!options.folder) folders.push(folder);
  const data = options.data ?? new Map();
  const store = await openMemoryStore(data);
  const network = hub.join(name);
  const sync = options.stateSync ? await syncStateFromPeers({ network, store, genesis, deadlineMs: 2_000, retryMs: 50 }) : undefined;
  const fatal: unknown[] = [];
  const node = await LedgerNode.open({
    genesis,
    checkSignatures: verifyInThisThread,
    config: { ...DEFAULT_CONFIG, blockIntervalMs: 50 },
    store,
    validatorKey: key ?? testKey(`observer-${name}`),
    onFatal: (error) => fatal.push(error),
    network,
    signer: key ? await PrivateValidator.open(folder, key, CHAIN) : null,
    timeouts: TEST_TIMEOUTS,
  });
  await node.start();
  const member = { name, node, data, fatal };
  running.push(member);
  return { ...member, folder, ...(sync ? { sync } : {}) };
}

/** Four validators that have committed a few blocks of faucet transactions and stand at one height. */
async function busyNetwork(hub: MemoryHub, rounds = 3): Promise<{ validators: (Running & { readonly folder: string })[]; faucet: ReturnType<typeof faucets> }> {
  const validators = await Promise.all(keys.map((key, i) => start(hub, `v${i}`, key)));
  const faucet = faucets(CHAIN);
  for (let round = 0; round < rounds; round++) {
    const results = await Promise.all(users.map((user, i) => validators[i % 4]!.node.submit(faucet(user, 1_000n + BigInt(round)))));
    expect(results.map((result) => result.status)).toEqual(results.map(() => 'committed'));
  }
  await waitFor('the validators to stand at one height', () => validators.every((v) => v.node.status().height === validators[0]!.node.status().height));
  return { validators, faucet };
}

/** A peer that forwards snapshot requests to `honest` and passes its answers through `alter`. */
function forwardingPeer(hub: MemoryHub, name: string, honest: string, alter: (answer: Uint8Array, kind: string) => Uint8Array): NodeNetwork {
  const network = hub.join(name);
  network.serveSnapshots(async (request) => alter(await network.requestSnapshot(honest, request), decodeSnapshotRequest(request).kind));
  return network;
}

async function storeIsEmpty(store: Store): Promise<boolean> {
  for await (const _record of store.iterateState()) return false;
  return (await store.head()) === undefined;
}

describe('joining a network from a state snapshot (in one process)', () => {
  it('reaches the same blocks and state root as a node that replayed every block, and restarts from its store', async () => {
    const hub = createMemoryHub({ delayMs: 1 });
    const { validators, faucet } = await busyNetwork(hub);
    const replayer = await start(hub, 'replayer', null);
    const joined = await start(hub, 'joined', null, { stateSync: true });
    expect(joined.sync?.kind).toBe('synced');
    const base = joined.sync?.kind === 'synced' ? joined.sync.height : 0;
    expect(base).toBe(validators[0]!.node.status().height);
    expect(joined.node.status().stateRoot).toBe(validators[0]!.node.status().stateRoot);
    // It holds the snapshot height's commit but no block up to it: those read as absent.
    expect(await joined.node.block(base)).toBeUndefined();
    expect(await joined.node.block(1)).toBeUndefined();
    expect(await joined.node.commitOf(base)).toBeDefined();

    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(users.map((user, i) => validators[(i + round) % 4]!.node.submit(faucet(user, 7n))));
      expect(results.map((result) => result.status)).toEqual(results.map(() => 'committed'));
    }
    const top = validators[0]!.node.status().height;
    expect(top).toBeGreaterThan(base);
    await waitFor('both joiners to reach the top', () => [replayer, joined].every((m) => m.node.status().height >= top));
    for (let height = base + 1; height <= top; height++) {
      const [a, b] = await Promise.all([replayer.node.block(height), joined.node.block(height)]);
      expect(b!.header).toEqual(a!.header);
    }
    expect(joined.node.status().hash).toBe(replayer.node.status().hash);
    expect(joined.node.status().stateRoot).toBe(replayer.node.status().stateRoot);
    for (const user of users) expect(joined.node.account(user.account).balances.USD).toBe(replayer.node.account(user.account).balances.USD);

    // Restarted on its own store, it opens at its head from the snapshot's state and blocks since.
    running.splice(running.indexOf(running.find((m) => m.name === 'joined')!), 1);
    await joined.node.stop();
    hub.leave('joined');
    const again = await start(hub, 'joined', null, { stateSync: true, data: joined.data });
    expect(again.sync?.kind).toBe('has-blocks');
    expect(again.node.status().stateRoot).toBe(replayer.node.status().stateRoot);
    expect([...validators, replayer, joined, again].every((m) => m.fatal.length === 0)).toBe(true);
  });

  it('a validator whose store was wiped rejoins from a snapshot, then proposes and votes on the blocks after it', async () => {
    const hub = createMemoryHub({ delayMs: 1 });
    const { validators, faucet } = await busyNetwork(hub, 2);
    const v3 = validators[3]!;
    running.splice(running.findIndex((m) => m.name === 'v3'), 1);
    hub.leave('v3');
    await v3.node.stop();
    const back = await start(hub, 'v3', keys[3]!, { stateSync: true, folder: v3.folder });
    expect(back.sync?.kind).toBe('synced');
    const base = back.sync?.kind === 'synced' ? back.sync.height : 0;
    // With v2 gone, no block is final without v3's precommit.
    running.splice(running.findIndex((m) => m.name === 'v2'), 1);
    hub.leave('v2');
    await validators[2]!.node.stop();
    for (let round = 0; round < 4; round++) {
      const result = await validators[round % 2]!.node.submit(faucet(users[round]!, 3n));
      expect(result.status).toBe('committed');
    }
    const top = validators[0]!.node.status().height;
    await waitFor('v3 to reach the top', () => back.node.status().height >= top);
    const proposers = new Set<string>();
    for (let height = base + 1; height <= top; height++) {
      const block = await back.node.block(height);
      expect(block!.header).toEqual((await validators[0]!.node.block(height))!.header);
      proposers.add(block!.header.proposer);
      expect((await validators[0]!.node.commitOf(height))!.precommits.map((p) => p.validator)).toContain(keys[3]!.account);
    }
    expect(proposers.has(keys[3]!.account)).toBe(true);
    expect(back.fatal).toEqual([]);
  });

  it('refuses a snapshot whose records were altered (root mismatch), penalises the peer, and takes an honest one', async () => {
    const hub = createMemoryHub({ delayMs: 1 });
    // Joined first, so the joiner asks it first among peers offering the same height.
    forwardingPeer(hub, 'liar', 'v0', (answer, kind) => {
      if (kind !== 'chunk') return answer;
      const records = decodeSnapshotChunk(answer).map(({ key, bytes }) => [key, key.startsWith('balance/') ? utf8('"999999999"') : bytes] as const);
      return encodeSnapshotChunks(records)[0]!;
    });
    const { validators } = await busyNetwork(hub);

    // Reaching only the liar, the joiner writes nothing and falls back to syncing blocks.
    const alone = await openMemoryStore();
    const aloneNetwork = hub.join('alone');
    hub.partition(['alone'], keys.map((_, i) => `v${i}`));
    const refusedOnly = await syncStateFromPeers({ network: aloneNetwork, store: alone, genesis, deadlineMs: 300, retryMs: 50 });
    expect(refusedOnly.kind).toBe('none');
    expect(refusedOnly.kind === 'none' && refusedOnly.refused.every((r) => r.peer === 'liar' && r.code === 'ROOT_MISMATCH')).toBe(true);
    expect(await storeIsEmpty(alone)).toBe(true);
    hub.heal();
    hub.leave('alone');

    const joined = await start(hub, 'joined', null, { stateSync: true });
    expect(joined.sync?.kind).toBe('synced');
    if (joined.sync?.kind !== 'synced') return;
    expect(joined.sync.refused.map(({ peer, code }) => ({ peer, code }))).toEqual([{ peer: 'liar', code: 'ROOT_MISMATCH' }]);
    expect(joined.sync.peer).toMatch(/^v[0-3]$/);
    expect(hub.penalties().get('liar')).toBeGreaterThanOrEqual(2);
    expect(joined.node.status().stateRoot).toBe(validators[0]!.node.status().stateRoot);
  });

  it('refuses a truncated chunk and a garbage chunk with BAD_CHUNK, and takes an honest snapshot', async () => {
    const hub = createMemoryHub({ delayMs: 1 });
    forwardingPeer(hub, 'cutter', 'v1', (answer, kind) => (kind === 'chunk' ? answer.slice(0, answer.length - 3) : answer));
    forwardingPeer(hub, 'junk', 'v1', (answer, kind) => (kind === 'chunk' ? Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256) : answer));
    const { validators } = await busyNetwork(hub, 2);
    const joined = await start(hub, 'joined', null, { stateSync: true });
    expect(joined.sync?.kind).toBe('synced');
    if (joined.sync?.kind !== 'synced') return;
    expect(joined.sync.refused.map(({ peer, code }) => ({ peer, code }))).toEqual([
      { peer: 'cutter', code: 'BAD_CHUNK' },
      { peer: 'junk', code: 'BAD_CHUNK' },
    ]);
    expect(hub.penalties().get('cutter')).toBe(1);
    expect(hub.penalties().get('junk')).toBe(1);
    expect(joined.node.status().stateRoot).toBe(validators[0]!.node.status().stateRoot);
  });

  it('a peer that sends a request that is not one of the protocol is refused and penalised', async () => {
    const hub = createMemoryHub({ delayMs: 1 });
    await start(hub, 'v0', keys[0]!);
    const stranger = hub.join('stranger');
    await expect(stranger.requestSnapshot('v0', utf8('{"kind":"everything"}'))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(hub.penalties().get('stranger')).toBe(1);
  });
});
