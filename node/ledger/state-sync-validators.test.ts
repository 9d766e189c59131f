import { afterEach, describe, expect, it } from 'vitest';
import { checkCommit, type Validator, validatorsHash } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import { DEFAULT_CONFIG } from '../home/config.js';
import type { NodeNetwork } from '../network/network.js';
import {
  decodeSnapshotBase,
  decodeSnapshotRequest,
  decodeValidatorChangePage,
  encodeSnapshotBase,
  encodeValidatorChangePages,
} from '../network/snapshot-protocol.js';
import { type MemoryStoreData, openMemoryStore } from '../store/index.js';
import { Chain } from './chain.js';
import { LedgerNode, verifyInThisThread } from './ledger-node.js';
import { committedHeight, faucets, type HeardVerdict, type Member, networkGenesis, recordingNetwork, TEST_TIMEOUTS, TestNetwork, transactions, waitFor } from './network-test-kit.js';
import { type StateSyncResult, syncStateFromPeers } from './state-sync.js';

/**
 * Nodes that join from a state snapshot a network whose validator set changed by transaction:
 * they verify the changes served with the snapshot from the genesis set, reach the state of the
 * nodes that replayed every block, keep following the blocks the new set commits, and know the
 * set of every earlier height after a restart; a peer that leaves out or alters a change is
 * refused with BAD_VALIDATOR_CHANGES and penalised, and the joiner takes an honest snapshot.
 */

const CHAIN = 'lendnet-state-sync-validators-test';
const keys = [0, 1, 2, 3].map((i) => testKey(`sync-change-validator-${i}`));
const newcomer = testKey('sync-change-validator-4');
const user = testKey('sync-change-user');
const genesis = networkGenesis(CHAIN, keys);
const five: Validator[] = [...keys, newcomer].map((key) => ({ account: key.account, power: 1 }));
const withoutV0: Validator[] = [...keys.slice(1), newcomer].map((key) => ({ account: key.account, power: 1 }));

let network: TestNetwork | undefined;
afterEach(async () => {
  await network?.stop();
  network = undefined;
});

/** Commits faucet transactions until every member is past `height`. */
async function advancePast(members: readonly Member[], height: number, faucet: ReturnType<typeof faucets>): Promise<void> {
  while (Math.min(...members.map((m) => m.node.status().height)) <= height) {
    committedHeight(await members[1]!.node.submit(faucet(user, 1n)));
    await waitFor('the members to follow', () => members.every((m) => m.node.status().height >= members[1]!.node.status().height), 20_000);
  }
}

/** Five validators' nodes (the fifth an observer until the set holds it) and the proposal that adds the fifth, adopted. */
async function addNewcomer(net: TestNetwork, tx: ReturnType<typeof transactions>): Promise<{ members: Member[]; addedAt: number }> {
  const members: Member[] = [];
  for (const [i, key] of keys.entries()) members.push(await net.start(`v${i}`, key));
  members.push(await net.start('v4', newcomer));
  committedHeight(await members[0]!.node.submit(tx(keys[0]!, 'propose-validator-change', { account: newcomer.account, power: 1 })));
  committedHeight(await members[1]!.node.submit(tx(keys[1]!, 'approve-validator-change', { proposal: 1 })));
  const addedAt = committedHeight(await members[2]!.node.submit(tx(keys[2]!, 'approve-validator-change', { proposal: 1 })));
  await waitFor('the members to take in the change', () => members.every((m) => m.node.status().height >= addedAt));
  return { members, addedAt };
}

/** A peer that forwards snapshot requests to `honest` and passes its answers through `alter`. */
function forwardingPeer(net: TestNetwork, name: string, honest: string, alter: (answer: Uint8Array, kind: string) => Uint8Array): NodeNetwork {
  const peer = net.hub.join(name);
  peer.serveSnapshots(async (request) => alter(await peer.requestSnapshot(honest, request), decodeSnapshotRequest(request).kind));
  return peer;
}

/** A page of changes re-encoded after `edit`. */
const editPage = (answer: Uint8Array, edit: (changes: ReturnType<typeof decodeValidatorChangePage>) => ReturnType<typeof decodeValidatorChangePage>) =>
  encodeValidatorChangePages(edit(decodeValidatorChangePage(answer)))[0]!;

/** Starts an observer that first takes a state snapshot from its peers; it stops with the network. */
async function join(net: TestNetwork, name: string): Promise<Member & { readonly sync: StateSyncResult; readonly data: MemoryStoreData }> {
  const data: MemoryStoreData = new Map();
  const store = await openMemoryStore(data);
  const verdicts: HeardVerdict[] = [];
  const peer = recordingNetwork(net.hub.join(name), verdicts);
  const sync = await syncStateFromPeers({ network: peer, store, genesis, deadlineMs: 2_000, retryMs: 50 });
  const fatal: unknown[] = [];
  const node = await LedgerNode.open({
    genesis,
    checkSignatures: verifyInThisThread,
    config: { ...DEFAULT_CONFIG, blockIntervalMs: 50 },
    store,
    validatorKey: testKey(`observer-${name}`),
    onFatal: (error) => fatal.push(error),
    network: peer,
    signer: null,
    timeouts: TEST_TIMEOUTS,
  });
  await node.start();
  const member: Member = { name, node, key: null, fatal, verdicts };
  net.members.push(member);
  return { ...member, sync, data };
}

const refusals = (sync: StateSyncResult) => (sync.kind === 'none' || sync.kind === 'synced' ? sync.refused.map(({ peer, code }) => ({ peer, code })) : []);

describe('joining from a state snapshot after the validator set changed', () => {
  it('verifies two changes, reaches the replayers’ state, follows the new set’s blocks, and knows old heights’ sets after a restart', async () => {
    network = new TestNetwork(genesis);
    // Joined first, so the joiner asks them before the honest peers offering the same height.
    forwardingPeer(network, 'drops-first', 'v1', (answer, kind) => (kind === 'changes' ? editPage(answer, (changes) => changes.slice(1)) : answer));
    forwardingPeer(network, 'drops-last', 'v1', (answer, kind) => (kind === 'changes' ? editPage(answer, (changes) => changes.slice(0, -1)) : answer));
    const tx = transactions(CHAIN);
    const faucet = faucets(CHAIN);
    const { members, addedAt } = await addNewcomer(network, tx);
    await advancePast(members, addedAt + 2, faucet);
    // The newcomer, now a validator, proposes removing v0: four of the five sign.
    committedHeight(await members[4]!.node.submit(tx(newcomer, 'propose-validator-change', { account: keys[0]!.account, power: 0 })));
    committedHeight(await members[1]!.node.submit(tx(keys[1]!, 'approve-validator-change', { proposal: 2 })));
    committedHeight(await members[2]!.node.submit(tx(keys[2]!, 'approve-validator-change', { proposal: 2 })));
    const removedAt = committedHeight(await members[3]!.node.submit(tx(keys[3]!, 'approve-validator-change', { proposal: 2 })));
    await advancePast(members, removedAt + 2, faucet);
    await waitFor('the validators to stand at one height', () => members.every((m) => m.node.status().height === members[1]!.node.status().height));

    const replayer = await network.start('replayer', null);
    const joined = await join(network, 'joined');
    expect(joined.sync.kind).toBe('synced');
    const base = joined.sync.kind === 'synced' ? joined.sync.height : 0;
    expect(base).toBeGreaterThanOrEqual(removedAt + 2);
    expect(refusals(joined.sync)).toEqual([
      { peer: 'drops-first', code: 'BAD_VALIDATOR_CHANGES' },
      { peer: 'drops-last', code: 'BAD_VALIDATOR_CHANGES' },
    ]);
    expect(network.hub.penalties().get('drops-first')).toBe(1);
    expect(network.hub.penalties().get('drops-last')).toBe(1);
    expect(joined.node.status().stateRoot).toBe(members[1]!.node.status().stateRoot);
    // As the serving peer proved them (each node holds the commit certificate it saw).
    const server = members.find((m) => joined.sync.kind === 'synced' && m.name === joined.sync.peer)!;
    expect(joined.node.validatorChanges()).toEqual(server.node.validatorChanges());
    expect(joined.node.validatorChanges().map((change) => change.header.height)).toEqual([addedAt, removedAt]);

    // The blocks after the snapshot, committed by the set without v0, reach both joiners alike.
    for (let round = 0; round < 3; round++) committedHeight(await members[1 + round]!.node.submit(faucet(user, 2n)));
    const top = members[1]!.node.status().height;
    await waitFor('both joiners to reach the top', () => [replayer, joined].every((m) => m.node.status().height >= top));
    for (let height = base + 1; height <= top; height++) {
      const [block, replayed, commit] = await Promise.all([joined.node.block(height), replayer.node.block(height), joined.node.commitOf(height)]);
      expect(block!.header).toEqual(replayed!.header);
      expect(checkCommit(block!.header, commit!, withoutV0, fastVerify)).toBeUndefined();
    }
    expect(joined.node.status().stateRoot).toBe(replayer.node.status().stateRoot);
    expect([...members, replayer, joined].every((m) => m.fatal.length === 0)).toBe(true);

    // Reopened from its store, it knows the set of every height below the snapshot too.
    network.members.splice(network.members.indexOf(network.members.find((m) => m.name === 'joined')!), 1);
    await joined.node.stop();
    network.hub.leave('joined');
    const chain = await Chain.open(await openMemoryStore(joined.data), genesis);
    expect(chain.validatorChanges().map((change) => change.header.height)).toEqual([addedAt, removedAt]);
    const hashAt = (height: number) => validatorsHash(chain.validatorsAt(height));
    for (const height of [1, addedAt + 1, addedAt + 2, removedAt + 1, removedAt + 2, base]) expect(hashAt(height)).toBe(validatorsHash(replayer.node.validatorsAt(height)));
    expect([hashAt(addedAt + 1), hashAt(addedAt + 2), hashAt(removedAt + 2)]).toEqual([validatorsHash(genesis.validators), validatorsHash(five), validatorsHash(withoutV0)]);
  }, 30_000);

  it('refuses a peer that hides a change adopted at the snapshot height or alters one, and takes the honest snapshot', async () => {
    network = new TestNetwork(genesis);
    // No pages: the header and its commit still check (the change is not yet in effect); only the state's record tells.
    forwardingPeer(network, 'hides', 'v1', (answer, kind) => {
      if (kind === 'changes') throw new Error('no such page');
      return kind === 'base' ? encodeSnapshotBase({ ...decodeSnapshotBase(answer), changePages: 0 }) : answer;
    });
    forwardingPeer(network, 'alters', 'v1', (answer, kind) =>
      kind === 'changes' ? editPage(answer, (changes) => changes.map((change) => ({ ...change, record: change.record.replace('"power":"1"', '"power":"2"') }))) : answer,
    );
    const { members, addedAt } = await addNewcomer(network, transactions(CHAIN));

    const joined = await join(network, 'joined');
    expect(joined.sync.kind).toBe('synced');
    // Blocks are made only for transactions: the network rests at the block that adopted the change.
    expect(joined.sync.kind === 'synced' && joined.sync.height).toBe(addedAt);
    expect(refusals(joined.sync)).toEqual([
      { peer: 'hides', code: 'BAD_VALIDATOR_CHANGES' },
      { peer: 'alters', code: 'BAD_VALIDATOR_CHANGES' },
    ]);
    expect(network.hub.penalties().get('hides')).toBe(1);
    expect(network.hub.penalties().get('alters')).toBe(1);
    expect(joined.node.validatorChanges().map((change) => change.header.height)).toEqual([addedAt]);

    // The change takes effect two heights above the snapshot; the joiner follows the five's blocks.
    const faucet = faucets(CHAIN);
    await advancePast([...members, joined], addedAt + 3, faucet);
    const top = members[1]!.node.status().height;
    await waitFor('the joiner to reach the top', () => joined.node.status().height >= top);
    for (let height = addedAt + 2; height <= top; height++) {
      const [block, commit] = await Promise.all([joined.node.block(height), joined.node.commitOf(height)]);
      expect(block!.header.validatorsHash).toBe(validatorsHash(five));
      expect(checkCommit(block!.header, commit!, five, fastVerify)).toBeUndefined();
    }
    expect(joined.node.status().stateRoot).toBe(members[1]!.node.status().stateRoot);
    expect([...members, joined].every((m) => m.fatal.length === 0)).toBe(true);
  }, 30_000);
});
