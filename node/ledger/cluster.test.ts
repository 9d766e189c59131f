import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allAtLeast, FAST_NETWORK_CONFIG, type NodeProcess, NodeProcesses, statusHeight, waitFor } from './node-processes.js';
import { blockHash, checkCommit, decodeBlock, decodeCommit } from '../../contracts/index.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import { decodeGenesis } from '../home/genesis-file.js';
import { homePaths } from '../home/home.js';
import { writeNetworkHomes } from '../home/network-homes.js';
import { createP2pHost } from '../p2p/host.js';
import { openStore } from '../store/index.js';
import { readStatus } from './run.js';

/**
 * Networks of separate `lendnet start` processes on 127.0.0.1, talking libp2p: the product as
 * operators run it. Nodes make empty blocks here (nothing submits transactions), so every
 * height is a full round of consensus. After a run the nodes are stopped and their stores
 * compared block by block, every commit checked against the validator set.
 */

const nodes = new NodeProcesses();
const folders: string[] = [];

afterEach(async () => {
  await nodes.stopAll();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

// Below the ephemeral range (32768 and up on Linux), so a relay or a dialler bound to port 0 never takes a node's port first.
let nextPort = 20_000 + Math.floor(Math.random() * 1_000) * 10;

async function network(validators: number, observers = 0): Promise<string[]> {
  return (await networkHomes(validators, observers)).map((home) => home.dir);
}

async function networkHomes(validators: number, observers = 0) {
  const out = await mkdtemp(join(tmpdir(), 'lendnet-cluster-'));
  folders.push(out);
  const basePort = nextPort;
  nextPort += 10;
  const { genesis, homes } = await writeNetworkHomes(out, { validators, observers, basePort, genesisTime: Math.floor(Date.now() / 1000), config: FAST_NETWORK_CONFIG });
  return homes.map((home) => ({ ...home, chainId: genesis.market.params.chainId }));
}

const start = (home: string): NodeProcess => nodes.start(home);

const stop = (proc: NodeProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => nodes.stop(proc, signal);

/** Opens each (stopped) node's store: the same block hash and state root at every common height, every commit valid. */
async function sameChain(homes: readonly string[]): Promise<number> {
  const genesis = decodeGenesis(await readFile(homePaths(homes[0]!).genesis, 'utf8'));
  const stores = await Promise.all(homes.map((home) => openStore(homePaths(home).data)));
  try {
    const heads = await Promise.all(stores.map(async (store) => (await store.head())?.height ?? 0));
    const common = Math.min(...heads);
    for (let h = 1; h <= common; h++) {
      const headers = await Promise.all(stores.map(async (store) => decodeBlock((await store.getBlock(h))!).header));
      const hashes = new Set(headers.map(blockHash));
      expect(hashes.size, `one block at height ${h}`).toBe(1);
      for (const [i, store] of stores.entries()) {
        const commit = decodeCommit((await store.getCommit(h))!);
        expect(checkCommit(headers[i]!, commit, genesis.validators, fastVerify), `commit of node ${i} at height ${h}`).toBeUndefined();
      }
    }
    return common;
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
}

describe('a network of separate processes (libp2p on 127.0.0.1)', () => {
  it('four validators commit the same chain; one killed, the rest go on; restarted, it catches up; an observer follows', async () => {
    const homes = await network(4, 1);
    const procs = homes.map(start);
    const validators = homes.slice(0, 4);
    await waitFor('height 3 everywhere', allAtLeast(homes, 3));
    // Each node's status names its role and its peers (the other four).
    await waitFor('every node to see its four peers', async () => (await Promise.all(homes.map(readStatus))).every((s) => (s?.status.network?.peers ?? 0) >= 4));
    expect((await Promise.all(homes.map(readStatus))).map((s) => s?.status.network?.role)).toEqual(['validator', 'validator', 'validator', 'validator', 'observer']);
    // Kill one validator: three of four keep committing.
    await stop(procs[3]!, 'SIGKILL');
    const at = await statusHeight(homes[0]!);
    await waitFor('three validators go on', allAtLeast(validators.slice(0, 3), at + 3));
    // Restarted, it syncs what it missed and votes again.
    procs[3] = start(homes[3]!);
    const target = Math.max(...(await Promise.all(validators.map(statusHeight)))) + 2;
    await waitFor('the restarted validator catches up', allAtLeast(homes, target));
    await Promise.all(procs.map((p) => stop(p, 'SIGTERM')));
    expect(await sameChain(homes)).toBeGreaterThanOrEqual(target);
  }, 180_000);

  it('with two of four validators down nothing commits and nothing forks; one back and commits resume', async () => {
    const homes = await network(4);
    const procs = homes.map(start);
    await waitFor('height 2 everywhere', allAtLeast(homes, 2));
    await Promise.all([stop(procs[2]!, 'SIGKILL'), stop(procs[3]!, 'SIGKILL')]);
    // What was in flight settles; then two of four cannot make a quorum.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const stalled = Math.max(...(await Promise.all(homes.slice(0, 2).map(statusHeight))));
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    // Nothing new is committed: a node that was a block behind may still fetch the last block
    // the four committed, but neither goes past it.
    expect(Math.max(...(await Promise.all(homes.slice(0, 2).map(statusHeight))))).toBe(stalled);
    procs[2] = start(homes[2]!);
    await waitFor('commits resume with three', allAtLeast(homes.slice(0, 3), stalled + 2));
    await Promise.all(procs.map((p) => stop(p, 'SIGTERM')));
    await sameChain(homes.slice(0, 3));
  }, 180_000);

  it('a validator whose data folder is wiped restarts, syncs from its peers and reaches the same state root', async () => {
    const homes = await network(4);
    const procs = homes.map(start);
    await waitFor('height 4 everywhere', allAtLeast(homes, 4));
    await stop(procs[1]!, 'SIGKILL');
    await rm(homePaths(homes[1]!).data, { recursive: true, force: true });
    // Its blocks and state are gone; its keys and signing guard (beside them) are not.
    await writeFile(join(homes[1]!, 'status.json'), '{}');
    procs[1] = start(homes[1]!);
    const target = Math.max(...(await Promise.all(homes.map(statusHeight)))) + 2;
    await waitFor('the wiped node syncs', allAtLeast(homes, target));
    await Promise.all(procs.map((p) => stop(p, 'SIGTERM')));
    expect(await sameChain(homes)).toBeGreaterThanOrEqual(target);
  }, 180_000);

  it('a peer that replays an honest message, then sends garbage and forged votes, is dropped and refused; the network goes on', async () => {
    const homes = await networkHomes(4);
    const procs = homes.map((home) => start(home.dir));
    await waitFor('height 2 everywhere', allAtLeast(homes.map((h) => h.dir), 2));
    const target = homes[0]!;
    const hostile = await createP2pHost({
      chainId: target.chainId,
      privateKeySeed: new Uint8Array(randomBytes(32)),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [`${target.address}/p2p/${target.peerId}`],
      penalties: { rejectThreshold: 1_000 },
    });
    const heard: Uint8Array[] = [];
    hostile.onMessage('consensus', (data) => {
      heard.push(data);
      return 'accept';
    });
    const disconnected: string[] = [];
    hostile.on('peer:disconnect', (peer) => disconnected.push(peer));
    try {
      await hostile.start();
      await waitFor('the hostile peer to meet the node on the consensus topic', async () => hostile.subscribers('consensus').includes(target.peerId) && heard.length > 0);
      // A replay of an honest message: dropped as already seen, no strike.
      await hostile.publish('consensus', heard[0]!).catch(() => undefined);
      // Then garbage and forged votes, until the node hangs up.
      const forged = new TextEncoder().encode(`{"messages":[{"blockHash":"","height":"1","kind":"prevote","round":"0","signature":"${'ab'.repeat(64)}","validator":"${'cd'.repeat(32)}"}],"sent":"1"}`);
      for (let i = 0; i < 20 && !disconnected.includes(target.peerId); i++) {
        const attack = i % 2 === 0 ? new Uint8Array(randomBytes(300)) : forged;
        await hostile.publish('consensus', Uint8Array.from([...attack, 0x20 + (i % 90)])).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      await waitFor('the node to drop the hostile peer', async () => disconnected.includes(target.peerId), [], 20_000);
      // Refused while banned: a new connection does not last.
      await hostile.connect(`${target.address}/p2p/${target.peerId}`).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(hostile.peers()).not.toContain(target.peerId);
      // The network never stopped.
      const at = Math.max(...(await Promise.all(homes.map((h) => statusHeight(h.dir)))));
      await waitFor('the network goes on', allAtLeast(homes.map((h) => h.dir), at + 2));
      expect(procs.every((p) => p.child.exitCode === null)).toBe(true);
    } finally {
      await hostile.stop();
    }
    await Promise.all(procs.map((p) => stop(p, 'SIGTERM')));
    await sameChain(homes.map((h) => h.dir));
  }, 180_000);

  it('a 2|2 partition (their connections cut) commits nothing on either side; healed, one chain resumes', async () => {
    const homes = await networkHomes(4);
    // Every node reaches every other through a relay of its own, which the test can cut.
    const relays: Relay[] = [];
    for (const from of homes) {
      const peers: string[] = [];
      for (const to of homes) {
        if (to === from) continue;
        const relay = await startRelay(Number(to.address.split('/').pop()));
        relay.sides = [homes.indexOf(from) < 2 ? 0 : 1, homes.indexOf(to) < 2 ? 0 : 1];
        relays.push(relay);
        peers.push(`/ip4/127.0.0.1/tcp/${relay.port}/p2p/${to.peerId}`);
      }
      const configPath = homePaths(from.dir).config;
      const config = JSON.parse(await readFile(configPath, 'utf8')) as { network: { peers: string[] } };
      config.network.peers = peers;
      await writeFile(configPath, JSON.stringify(config, null, 2));
    }
    try {
      const dirs = homes.map((h) => h.dir);
      const procs = dirs.map(start);
      await waitFor('height 2 everywhere', allAtLeast(dirs, 2));
      for (const relay of relays) if (relay.sides[0] !== relay.sides[1]) relay.cut();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const stalled = await Promise.all(dirs.map(statusHeight));
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      // No side holds a quorum, so no block is committed: no node goes past the highest block
      // decided before the cut. A node behind may still fetch that block from its side's peer
      // (on a loaded machine that can take longer than the 2 s above), which is not a commit.
      const later = await Promise.all(dirs.map(statusHeight));
      expect(Math.max(...later)).toBe(Math.max(...stalled));
      for (const [i, h] of later.entries()) expect(h).toBeGreaterThanOrEqual(stalled[i]!);
      for (const relay of relays) relay.heal();
      await waitFor('one chain resumes', allAtLeast(dirs, Math.max(...stalled) + 2), [], 90_000);
      await Promise.all(procs.map((p) => stop(p, 'SIGTERM')));
      await sameChain(dirs);
    } finally {
      for (const relay of relays) relay.close();
    }
  }, 180_000);
});

/** A TCP relay to a local port that can be cut (open connections dropped, new ones refused) and healed. */
interface Relay {
  readonly port: number;
  sides: [number, number];
  cut(): void;
  heal(): void;
  close(): void;
}

function startRelay(targetPort: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((inbound) => {
    if (!open) {
      inbound.destroy();
      return;
    }
    const outbound = connect(targetPort, '127.0.0.1');
    sockets.add(inbound);
    sockets.add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        sides: [0, 0],
        cut() {
          open = false;
          for (const socket of sockets) socket.destroy();
          sockets.clear();
        },
        heal() {
          open = true;
        },
        close() {
          open = false;
          for (const socket of sockets) socket.destroy();
          server.close();
        },
      });
    });
  });
}
