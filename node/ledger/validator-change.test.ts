import { afterEach, describe, expect, it } from 'vitest';
import { checkCommit, type KeyPair, validatorsHash } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import { committedHeight, faucets, type Member, networkGenesis, oneChain, TestNetwork, transactions, waitFor } from './network-test-kit.js';

/**
 * The validator set changed by transactions in a running network of four validators: a fifth
 * node is added by a proposal and two approvals, signs blocks from the height the change takes
 * effect, and a genesis validator is removed the same way; every height's commit verifies
 * against that height's set on every node.
 */

const CHAIN = 'lendnet-validator-change-test';
const keys = [0, 1, 2, 3].map((i) => testKey(`change-validator-${i}`));
const newcomer = testKey('change-validator-4');
const user = testKey('change-user');
const genesis = networkGenesis(CHAIN, keys);

let network: TestNetwork | undefined;
afterEach(async () => {
  await network?.stop();
  network = undefined;
});

const tx = transactions(CHAIN);

/** Commits faucet transactions until every member is past `height`. */
async function advancePast(members: readonly Member[], height: number, faucet: (user: KeyPair, amount: bigint) => string): Promise<void> {
  while (Math.min(...members.map((m) => m.node.status().height)) <= height) {
    committedHeight(await members[0]!.node.submit(faucet(user, 1n)));
    await waitFor('the members to follow', () => members.every((m) => m.node.status().height >= members[0]!.node.status().height), 20_000);
  }
}

describe('validator set changes by transaction', () => {
  it('adds a validator and later removes one in a running four-validator network', async () => {
    network = new TestNetwork(genesis);
    const members: Member[] = [];
    for (const [i, key] of keys.entries()) members.push(await network.start(`v${i}`, key));
    // The newcomer runs with its validator key from the start, as an observer until the set holds it.
    const fifth = await network.start('v4', newcomer);
    const faucet = faucets(CHAIN);
    const all = [...members, fifth];

    // Not yet a validator: its proposal is refused and changes nothing.
    const early = await members[0]!.node.submit(tx(newcomer, 'propose-validator-change', { account: newcomer.account, power: 1 }));
    expect(early).toMatchObject({ status: 'refused', code: 'NOT_A_VALIDATOR' });
    tx.unused(newcomer);

    committedHeight(await members[0]!.node.submit(tx(keys[0]!, 'propose-validator-change', { account: newcomer.account, power: 1 })));
    committedHeight(await members[1]!.node.submit(tx(keys[1]!, 'approve-validator-change', { proposal: 1 })));
    expect(members[1]!.node.validatorSet()!.proposals[0]!.approvals).toEqual([keys[0]!.account, keys[1]!.account]);
    // The third signature holds 3 of 4 power, more than 2/3: adopted in its block, in effect two heights later.
    const adoptedAt = committedHeight(await members[2]!.node.submit(tx(keys[2]!, 'approve-validator-change', { proposal: 1 })));
    const five = [...keys, newcomer].map((key) => ({ account: key.account, power: 1 }));
    expect(members[2]!.node.validatorSet()).toMatchObject({ adoptedAt, from: adoptedAt + 2, validators: five, proposals: [] });

    await advancePast(all, adoptedAt + 4, faucet);
    for (const member of all) {
      expect((await member.node.block(adoptedAt + 1))!.header.validatorsHash).toBe(validatorsHash(genesis.validators));
      expect((await member.node.block(adoptedAt + 2))!.header.validatorsHash).toBe(validatorsHash(five));
      expect(member.node.validatorChanges().map((c) => c.header.height)).toEqual([adoptedAt]);
    }
    // The newcomer signs: within a few blocks, a commit holds its precommit.
    await waitFor(
      "a commit holding the newcomer's precommit",
      async () => {
        committedHeight(await members[1]!.node.submit(faucet(user, 1n)));
        const commit = await members[1]!.node.commitOf(members[1]!.node.status().height);
        return commit!.precommits.some((p) => p.validator === newcomer.account);
      },
      30_000,
    );

    // Now a validator itself, the newcomer proposes removing v0; with 5 validators it takes 4 signatures.
    committedHeight(await fifth.node.submit(tx(newcomer, 'propose-validator-change', { account: keys[0]!.account, power: 0 })));
    committedHeight(await members[1]!.node.submit(tx(keys[1]!, 'approve-validator-change', { proposal: 2 })));
    committedHeight(await members[2]!.node.submit(tx(keys[2]!, 'approve-validator-change', { proposal: 2 })));
    expect(members[2]!.node.validatorSet()!.from).toBe(adoptedAt + 2);
    const removedAt = committedHeight(await members[3]!.node.submit(tx(keys[3]!, 'approve-validator-change', { proposal: 2 })));
    const four = [...keys.slice(1), newcomer].map((key) => ({ account: key.account, power: 1 }));
    expect(members[3]!.node.validatorSet()).toMatchObject({ adoptedAt: removedAt, from: removedAt + 2, validators: four });

    await advancePast(all, removedAt + 3, faucet);
    // The removed validator's node stops; the four left go on committing without it.
    const [removed, ...rest] = all;
    await removed!.node.stop();
    network.members.splice(network.members.indexOf(removed!), 1);
    const after = committedHeight(await rest[0]!.node.submit(faucet(user, 1n)));
    await waitFor('the four to commit without v0', () => rest.every((m) => m.node.status().height >= after), 20_000);
    const top = await oneChain(genesis, rest);
    for (let height = removedAt + 2; height <= top; height++) {
      const commit = (await rest[0]!.node.commitOf(height))!;
      expect(commit.precommits.some((p) => p.validator === keys[0]!.account)).toBe(false);
      expect(checkCommit((await rest[0]!.node.block(height))!.header, commit, four, fastVerify)).toBeUndefined();
    }
    // A commit before the change does not verify against the new set, so the set of each height matters.
    const early1 = (await rest[0]!.node.block(1))!.header;
    expect(checkCommit(early1, (await rest[0]!.node.commitOf(1))!, four, fastVerify)).toBe('WRONG_VALIDATOR_SET');
    expect(rest.every((m) => m.node.validatorChanges().length === 2)).toBe(true);
    expect(all.every((m) => m.fatal.length === 0)).toBe(true);
  }, 120_000);
});
