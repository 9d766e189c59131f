import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { blockHash, checkCommit, validatorsHash } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import { nextBlockTime } from '../consensus/engine.js';
import { type ConsensusMessage, decodeConsensusMessages, encodeConsensusMessages, signProposal, signVote } from '../consensus/messages.js';
import { proposerOf, type VoteIn } from '../consensus/tendermint.js';
import type { NodeNetwork, Verdict } from '../network/network.js';
import { committedHeight, faucets, followChain, type Member, networkGenesis, oneChain, TestNetwork, transactions, waitFor } from './network-test-kit.js';

/**
 * "Liveness resumes once it is silent or removed": three honest validators (LedgerNodes on the
 * in-process hub) and a byzantine fourth that equivocates in votes and proposals and floods
 * both gossip topics with garbage. The honest three remove it by transactions (a proposal and
 * two approvals: three of four power). From the height the change takes effect the three
 * commit alone, every message it signs is rejected as from a key outside the set, and no two
 * nodes ever commit different blocks at one height.
 */

const CHAIN = 'lendnet-byzantine-removal-test';
const keys = [0, 1, 2, 3].map((i) => testKey(`removal-validator-${i}`));
const byzantine = keys[3]!;
const honestKeys = keys.slice(0, 3);
const genesis = networkGenesis(CHAIN, keys);
const user = testKey('removal-user');
const BYZ = 'byz';

let net: TestNetwork;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  net.hub.leave(BYZ);
  await net.stop();
});

const tx = transactions(CHAIN);

const vote = (type: VoteIn['type'], height: number, round: number, valueId: string | null) => signVote(CHAIN, byzantine.secretKey, byzantine.account, { type, height, round, valueId });
const madeUpHash = () => randomBytes(32).toString('hex');
const gossipOf = (message: ConsensusMessage) => encodeConsensusMessages([message]);

/** The byzantine validator on the hub, and a switch that silences it (for a probe). */
interface Byzantine {
  readonly peer: NodeNetwork;
  quiet: boolean;
  /** Proposals it made, two per slot. */
  proposals: number;
  readonly errors: unknown[];
}

/**
 * Joins the hub as the byzantine validator: each honest vote heard is answered with two votes
 * of its own for that slot (the honest value and a hash that names nothing); at each of its
 * turns by the genesis rotation it proposes two valid blocks that differ in time; and every
 * 50 ms it publishes random bytes on both topics. It goes on after it is removed.
 */
async function joinAsByzantine(honest: readonly Member[]): Promise<Byzantine> {
  const peer = net.hub.join(BYZ);
  const byz: Byzantine = { peer, quiet: false, proposals: 0, errors: [] };
  const answered = new Set<string>();
  const proposed = new Set<string>();
  let work: Promise<void> = Promise.resolve();
  const followed = await followChain(genesis, honest[0]!.node, (height) => maybePropose(height + 1, 0));
  function maybePropose(height: number, round: number): void {
    const slot = `${height}/${round}`;
    if (byz.quiet || proposerOf(genesis.validators, height, round) !== byzantine.account || proposed.has(slot) || followed.chain.head().height !== height - 1) return;
    proposed.add(slot);
    work = work
      .then(() => {
        const time = nextBlockTime(followed.chain.head().time, Math.floor(Date.now() / 1000));
        for (const at of [time, time + 1]) {
          const block = followed.chain.buildOnFork(at, [], byzantine.account).block;
          peer.publish('consensus', gossipOf({ proposal: signProposal(CHAIN, byzantine.secretKey, byzantine.account, { height, round, validRound: -1, value: block, valueId: blockHash(block.header) }) }));
        }
        byz.proposals += 1;
      })
      .catch((error: unknown) => void byz.errors.push(error));
  }
  peer.subscribe('consensus', (bytes) => {
    if (byz.quiet) return 'ignore';
    for (const message of decodeConsensusMessages(CHAIN, bytes, () => true)) {
      if (!('vote' in message) || message.vote.validator === byzantine.account) continue;
      const { type, height, round, valueId } = message.vote;
      const slot = `${type}/${height}/${round}`;
      if (!answered.has(slot)) {
        answered.add(slot);
        for (const reply of [vote(type, height, round, valueId), vote(type, height, round, madeUpHash())]) peer.publish('consensus', gossipOf({ vote: reply }));
      }
      maybePropose(height, round);
    }
    return 'ignore';
  });
  const flood = setInterval(() => {
    if (byz.quiet) return;
    peer.publish('consensus', randomBytes(300));
    peer.publish('txs', randomBytes(300));
  }, 50);
  cleanups.push(() => clearInterval(flood));
  return byz;
}

const fromByz = (m: Member) => m.verdicts.filter((v) => v.from === BYZ);

/**
 * Silences the byzantine validator until its last messages are judged, then publishes a vote it
 * signs for the height and round the first member is at (for a block never proposed), and
 * returns each member's verdict on it.
 */
async function probe(byz: Byzantine, members: readonly Member[]): Promise<Verdict[]> {
  byz.quiet = true;
  let counts = members.map((m) => fromByz(m).length);
  await waitFor('its messages in flight to be judged', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = members.map((m) => fromByz(m).length);
    const settled = now.every((n, i) => n === counts[i]);
    counts = now;
    return settled;
  });
  const { height, round } = members[0]!.node.consensusPosition()!;
  byz.peer.publish('consensus', gossipOf({ vote: vote('prevote', height, Math.max(round, 0), madeUpHash()) }));
  await waitFor('every member to judge the probe', () => members.every((m, i) => fromByz(m).length > counts[i]!));
  byz.quiet = false;
  return members.map((m, i) => fromByz(m)[counts[i]!]!.verdict);
}

describe('a byzantine validator removed by the honest ones', () => {
  it('equivocating and flooding, it is voted out; from then the three commit alone, its messages are rejected, and no two nodes commit different blocks', async () => {
    net = new TestNetwork(genesis);
    const honest: Member[] = [];
    for (const [i, key] of honestKeys.entries()) honest.push(await net.start(`v${i}`, key));
    // Every block each honest node commits, by height: one hash per height across them all.
    const hashesAt = new Map<number, Set<string>>();
    for (const m of honest) m.node.subscribe((block) => hashesAt.set(block.height, (hashesAt.get(block.height) ?? new Set()).add(block.hash)));
    const byz = await joinAsByzantine(honest);
    const faucet = faucets(CHAIN);
    const advance = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + 40_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out committing until ${what}`);
        committedHeight(await honest[0]!.node.submit(faucet(user, 1n)));
      }
    };

    // Misbehaving among the validators: every honest node holds evidence against it, and its
    // signed votes are still accepted (it is in the set).
    await advance('evidence of its double votes on every honest node, and a double proposal', () => byz.proposals > 0 && honest.every((m) => m.node.evidence().some((e) => e.kind === 'duplicate-vote')));
    // A vote it signs for the current height is taken and relayed.
    expect(await probe(byz, honest)).toEqual(honest.map(() => 'accept'));

    // The honest three vote it out: a proposal and two approvals hold three of four power.
    committedHeight(await honest[0]!.node.submit(tx(keys[0]!, 'propose-validator-change', { account: byzantine.account, power: 0 })));
    committedHeight(await honest[1]!.node.submit(tx(keys[1]!, 'approve-validator-change', { proposal: 1 })));
    const adoptedAt = committedHeight(await honest[2]!.node.submit(tx(keys[2]!, 'approve-validator-change', { proposal: 1 })));
    const three = honestKeys.map((key) => ({ account: key.account, power: 1 }));
    const from = adoptedAt + 2;
    expect(honest[2]!.node.validatorSet()).toMatchObject({ adoptedAt, from, validators: three });

    // Past the change, the misbehaviour goes on; the verdicts from here on are counted.
    await advance(`height ${from + 2} on every honest node`, () => honest.every((m) => m.node.status().height >= from + 2));
    const judgedBefore = honest.map((m) => fromByz(m).length);
    await advance(`height ${from + 8}`, () => honest.every((m) => m.node.status().height >= from + 8));
    // A vote it signs for the current height is refused: its key is outside the set.
    expect(await probe(byz, honest)).toEqual(honest.map(() => 'reject'));
    for (const [i, m] of honest.entries()) {
      const verdicts = fromByz(m).slice(judgedBefore[i]);
      // Its votes, proposals and garbage: on both topics.
      expect(new Set(verdicts.map((v) => v.topic)), `the topics of ${m.name}'s verdicts on its messages since the change`).toEqual(new Set(['consensus', 'txs']));
      expect(verdicts.filter((v) => v.verdict !== 'reject'), `${m.name}'s verdicts that were not 'reject'`).toEqual([]);
    }

    const top = await oneChain(genesis, honest);
    for (let height = 1; height <= top; height++) {
      const block = (await honest[0]!.node.block(height))!;
      const commit = (await honest[0]!.node.commitOf(height))!;
      expect(hashesAt.get(height)?.size, `blocks committed at ${height}`).toBe(1);
      if (height < from) continue;
      // The three alone: the set of three, their precommits only, no block of its making.
      expect(block.header.validatorsHash).toBe(validatorsHash(three));
      expect(block.header.proposer).not.toBe(byzantine.account);
      expect(commit.precommits.map((p) => p.validator).sort()).toEqual(three.map((v) => v.account).sort());
      expect(checkCommit(block.header, commit, three, fastVerify)).toBeUndefined();
    }
    expect(honest.every((m) => m.node.validatorsAt(top + 1).length === 3 && m.fatal.length === 0)).toBe(true);
    expect(byz.errors).toEqual([]);
    const rejected = net.hub.rejections().get(BYZ) ?? 0;
    console.info(`byzantine removal: adopted at ${adoptedAt}, in effect at ${from}; ${top} blocks; ${byz.proposals} double proposals; ${honest[0]!.node.evidence().length} equivocations on v0; ${rejected} of its messages rejected`);
  }, 120_000);
});
