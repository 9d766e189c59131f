import { afterEach, describe, expect, it } from 'vitest';
import type { Block } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { decodeConsensusMessages } from '../consensus/messages.js';
import { proposerOf, type VoteIn } from '../consensus/tendermint.js';
import { MAX_CLOCK_DRIFT_SECONDS } from './chain-types.js';
import { faucets, type Member, networkGenesis, oneChain, TEST_TIMEOUTS, TestNetwork } from './network-test-kit.js';

/**
 * A validator whose clock is minutes off, among three whose clocks are right (LedgerNodes on
 * the in-process hub, the odd one given a clock of its own). The bounds of docs/consensus.md
 * §3: a block's time is never before the previous block's, and at most 15 s ahead of the
 * clock of the validator that judges it. So a fast proposer's blocks are refused and the round
 * passes to the next proposer; a slow proposer's blocks keep the previous block's time.
 */

const CHAIN = 'lendnet-clock-test';
const keys = [0, 1, 2, 3].map((i) => testKey(`clock-validator-${i}`));
const odd = keys[3]!;
const genesis = networkGenesis(CHAIN, keys);
const user = testKey('clock-user');
const FIVE_MINUTES = 5 * 60;
const WATCH = 'watch';

/** The honest validators' clock: the system's, in whole seconds. */
const honestClock = () => Math.floor(Date.now() / 1000);

let net: TestNetwork;
afterEach(async () => {
  net.hub.leave(WATCH);
  await net.stop();
});

/** A proposal as heard on the hub: the block's proposer, time and hash. */
interface HeardProposal {
  readonly height: number;
  readonly round: number;
  readonly proposer: string;
  readonly time: number;
  readonly hash: string;
  /** The honest clock when it was heard. */
  readonly heardAt: number;
}

/** Four validators, the last keeping time by `oddClock`, and a peer that hears every consensus message. */
async function startNetwork(oddClock: () => number, timeouts = TEST_TIMEOUTS) {
  net = new TestNetwork(genesis);
  const members: Member[] = [];
  for (const [i, key] of keys.entries()) members.push(await net.start(`v${i}`, key, key === odd ? { clock: oddClock, timeouts } : { timeouts }));
  const proposals: HeardProposal[] = [];
  const votes: VoteIn[] = [];
  net.hub.join(WATCH).subscribe('consensus', (bytes) => {
    for (const message of decodeConsensusMessages(CHAIN, bytes, () => true)) {
      if ('vote' in message) votes.push(message.vote);
      else {
        const { height, round, proposer, valueId, value } = message.proposal;
        proposals.push({ height, round, proposer, time: value.header.time, hash: valueId, heardAt: honestClock() });
      }
    }
    return 'ignore';
  });
  // Each committed block, with the honest clock when the first honest member committed it.
  const committedAt = new Map<number, number>();
  members[0]!.node.subscribe((block) => committedAt.set(block.height, honestClock()));
  return { members, proposals, votes, committedAt };
}

/** Commits faucet transactions, one at a time through the first member, until `done` holds. */
async function commitUntil(what: string, members: readonly Member[], done: () => boolean | Promise<boolean>, ms = 40_000): Promise<void> {
  const faucet = faucets(CHAIN);
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out committing until ${what}`);
    const result = await members[0]!.node.submit(faucet(user, 1n));
    expect(result.status).toBe('committed');
  }
}

async function blocksOf(member: Member): Promise<Block[]> {
  const blocks: Block[] = [];
  for (let height = 1; height <= member.node.status().height; height++) blocks.push((await member.node.block(height))!);
  return blocks;
}

/** Block times never decrease, from the genesis time on. */
function expectTimesNeverDecrease(blocks: readonly Block[]): void {
  let previous = genesis.genesisTime;
  for (const block of blocks) {
    expect(block.header.time, `time of block ${block.header.height}`).toBeGreaterThanOrEqual(previous);
    previous = block.header.time;
  }
}

const byOdd = (p: { readonly proposer: string }) => p.proposer === odd.account;

describe('a validator whose clock is off by minutes', () => {
  it('five minutes fast: its blocks are refused (honest prevotes are nil), the others commit, and no block is dated past the honest clocks + 15 s', async () => {
    const { members, proposals, votes, committedAt } = await startNetwork(() => honestClock() + FIVE_MINUTES);
    await commitUntil('the fast validator has proposed at three heights, all behind the head', members, () => {
      const heights = [...new Set(proposals.filter(byOdd).map((p) => p.height))];
      return heights.length >= 3 && members.every((m) => m.node.status().height > Math.max(...heights));
    });
    const top = await oneChain(genesis, members);
    const fastProposals = proposals.filter(byOdd);
    const refused = new Set(fastProposals.map((p) => p.hash));
    for (const proposal of fastProposals) {
      // Dated by its own clock, beyond what an honest validator accepts.
      expect(proposal.time).toBeGreaterThan(proposal.heardAt + MAX_CLOCK_DRIFT_SECONDS);
      // Every honest vote of that round is nil: none for its block.
      const honestVotes = votes.filter((v) => v.height === proposal.height && v.round === proposal.round && v.validator !== odd.account);
      expect(honestVotes.filter((v) => v.type === 'prevote').length, `honest prevotes heard at ${proposal.height}/${proposal.round}`).toBeGreaterThan(0);
      expect(honestVotes.map((v) => v.valueId), `honest votes at ${proposal.height}/${proposal.round}`).toEqual(honestVotes.map(() => null));
    }
    expect(votes.filter((v) => v.validator !== odd.account && v.valueId !== null && refused.has(v.valueId))).toEqual([]);

    const blocks = await blocksOf(members[0]!);
    expectTimesNeverDecrease(blocks);
    let passedOver = 0;
    for (const block of blocks) {
      const { height, time, proposer } = block.header;
      expect(proposer, `proposer of block ${height}`).not.toBe(odd.account);
      // The documented bound, against the honest clock when the block was committed.
      expect(time, `time of block ${height}`).toBeLessThanOrEqual(committedAt.get(height)! + MAX_CLOCK_DRIFT_SECONDS);
      if (proposerOf(genesis.validators, height, 0) === odd.account) {
        passedOver += 1;
        expect((await members[0]!.node.commitOf(height))!.round, `round of block ${height}`).toBeGreaterThanOrEqual(1);
      }
    }
    expect(passedOver).toBeGreaterThanOrEqual(3);
    expect(Math.max(...blocks.map((b) => b.header.time))).toBeLessThanOrEqual(honestClock() + MAX_CLOCK_DRIFT_SECONDS);
    expect(members.every((m) => m.fatal.length === 0 && m.node.evidence().length === 0)).toBe(true);
    console.info(`fast clock: ${fastProposals.length} proposals refused at ${passedOver} heights; ${top} blocks, all by the three honest proposers`);
  }, 90_000);

  // Honest blocks are five minutes ahead of the slow validator's clock: untimely to it, so it
  // prevotes nil on each; but once the others' prevotes make a quorum it locks on the block,
  // precommits and decides it as they do, and so keeps up and proposes in its turn.
  it('five minutes slow: the blocks it proposes keep the previous block\'s time (never earlier), time moves on with the honest proposers; it prevotes no honest block yet precommits those a quorum prevoted', async () => {
    const startedAt = honestClock();
    const { members, proposals, votes } = await startNetwork(() => honestClock() - FIVE_MINUTES, TEST_TIMEOUTS);
    // Until three blocks of the slow validator are committed, and after them one by an honest
    // proposer dated later than the last of them: time went on.
    await commitUntil('three slow blocks, then a later honest one', members, async () => {
      const blocks = await blocksOf(members[0]!);
      const slow = blocks.filter((b) => b.header.height > 1 && byOdd(b.header));
      const last = blocks.at(-1);
      return slow.length >= 3 && last !== undefined && !byOdd(last.header) && last.header.time > slow.at(-1)!.header.time;
    }, 60_000);
    const top = await oneChain(genesis, members);
    const blocks = await blocksOf(members[0]!);
    expectTimesNeverDecrease(blocks);
    let slowBlocks = 0;
    for (const [i, block] of blocks.entries()) {
      const { height, time, proposer } = block.header;
      // Never five minutes back: every block is dated within the test's run by the honest clocks.
      expect(time, `time of block ${height}`).toBeGreaterThanOrEqual(startedAt);
      expect(time, `time of block ${height}`).toBeLessThanOrEqual(honestClock());
      if (proposer === odd.account && height > 1) {
        slowBlocks += 1;
        // Its own clock is behind the previous block's time, so the block keeps that time.
        expect(time, `time of block ${height}, by the slow validator`).toBe(blocks[i - 1]!.header.time);
      }
    }
    expect(slowBlocks).toBeGreaterThanOrEqual(3);
    // What it proposed and was not committed was dated the same way.
    // (Each proposal is heard again when it is sent again: counted once by its hash below.)
    const slowProposals = proposals.filter((p) => byOdd(p) && p.height > 1);
    for (const p of slowProposals) expect(p.time, `its proposal at ${p.height}/${p.round}`).toBe(blocks[p.height - 2]!.header.time);
    // It prevoted only its own blocks, and precommitted honest ones the others had prevoted.
    const own = new Set(slowProposals.map((p) => p.hash));
    const others = votes.filter((v) => v.validator === odd.account && v.valueId !== null && !own.has(v.valueId));
    expect(others.filter((v) => v.type === 'prevote')).toEqual([]);
    expect(others.filter((v) => v.type === 'precommit').length).toBeGreaterThanOrEqual(1);
    expect(members.every((m) => m.fatal.length === 0 && m.node.evidence().length === 0)).toBe(true);
    console.info(`slow clock: ${slowBlocks} of ${top} blocks by the slow validator (${own.size} proposed), each at its previous block's time`);
  }, 90_000);
});
