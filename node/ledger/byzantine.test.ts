import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type Block, blockHash, encodeBlock, encodeCommit, type KeyPair, signTransaction, txId, utf8, verifySignature } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { nextBlockTime } from '../consensus/engine.js';
import { type ConsensusMessage, decodeConsensusMessages, encodeConsensusMessages, MAX_CONSENSUS_MESSAGE_BYTES, signProposal, signVote } from '../consensus/messages.js';
import { type Evidence, proposerOf, type VoteIn } from '../consensus/tendermint.js';
import type { GossipTopic, NodeNetwork, Verdict } from '../network/network.js';
import type { Chain } from './chain.js';
import { faucets, followChain, type Member, networkGenesis, oneChain, TestNetwork, waitFor } from './network-test-kit.js';
import { encodeTxBatch, MAX_TX_GOSSIP_BYTES } from './tx-gossip.js';

/**
 * Three honest validators (real LedgerNodes on the in-process hub) and a fourth participant
 * that is not a LedgerNode: it joins the hub as 'byz' and publishes bytes made by hand. As the
 * fourth validator it holds the fourth key of genesis and signs what it likes; as a peer
 * outside the set it sends garbage, forgeries and replays.
 */

const CHAIN = 'lendnet-byzantine-test';
const keys = [0, 1, 2, 3].map((i) => testKey(`byzantine-validator-${i}`));
const byzantine = keys[3]!;
const genesis = networkGenesis(CHAIN, keys);
const users = [0, 1, 2, 3].map((i) => testKey(`byzantine-user-${i}`));
const outsider = testKey('byzantine-outsider');
const BYZ = 'byz';

let net: TestNetwork;
let faucet: ReturnType<typeof faucets>;
/** Ids of the transactions this test saw committed. */
let committedIds: string[] = [];
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  net.hub.leave(BYZ);
  await net.stop();
});

async function startNetwork(honestKeys: readonly KeyPair[]): Promise<Member[]> {
  net = new TestNetwork(genesis);
  faucet = faucets(CHAIN);
  committedIds = [];
  return Promise.all(honestKeys.map((key, i) => net.start(`v${i}`, key)));
}

/** One faucet transaction per member, each from the member's own user (so nonces stay in order), all committed. */
async function commitRound(members: readonly Member[]): Promise<number[]> {
  const results = await Promise.all(members.map((m, i) => m.node.submit(faucet(users[i]!, 10n))));
  expect(results.map((r) => r.status)).toEqual(results.map(() => 'committed'));
  for (const r of results) if (r.status === 'committed') committedIds.push(r.id);
  return results.map((r) => (r.status === 'committed' ? r.height : 0));
}

/** Checks that the member's chain holds each committed transaction once, and nothing else. */
async function holdsEachTransactionOnce(member: Member): Promise<void> {
  const onChain: string[] = [];
  for (let height = 1; height <= member.node.status().height; height++) onChain.push(...(await member.node.block(height))!.txs.map(txId));
  expect(onChain.sort()).toEqual([...committedIds].sort());
}

/** Commits rounds of transactions until `done` holds. */
async function commitUntil(what: string, members: readonly Member[], done: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out committing until ${what}`);
    await commitRound(members);
  }
}

/** Whether a block the member committed passes `test`. */
async function anyCommitted(member: Member, test: (block: Block) => boolean): Promise<boolean> {
  for (let height = 1; height <= member.node.status().height; height++) if (test((await member.node.block(height))!)) return true;
  return false;
}

/**
 * Commits until a block the byzantine validator proposed (known by `test`) is committed, or it
 * has proposed at two heights and both are behind the head (its blocks were refused).
 */
async function commitUntilDecided(honest: readonly Member[], proposedAt: readonly number[], test: (block: Block) => boolean): Promise<void> {
  await commitUntil('its block to be committed or refused twice', honest, async () =>
    (proposedAt.length >= 2 && honest[0]!.node.status().height > proposedAt[1]!) || (proposedAt.length > 0 && (await anyCommitted(honest[0]!, test))),
  );
}

const madeUpHash = () => randomBytes(32).toString('hex');
const proposer = (height: number, round: number) => proposerOf(genesis.validators, height, round);
const gossipOf = (message: ConsensusMessage) => encodeConsensusMessages([message]);

function vote(key: KeyPair, type: VoteIn['type'], height: number, round: number, valueId: string | null): VoteIn {
  return signVote(CHAIN, key.secretKey, key.account, { type, height, round, valueId });
}

/**
 * Whether an evidence entry holds two different messages for one height and round (and vote
 * type), both from the byzantine key, whose signatures verify under the consensus rule (checked
 * by decoding them as a peer would, with `verifySignature`).
 */
function signedByByzantine(evidence: Evidence<Block>): boolean {
  const { first, second } = evidence;
  if (first.height !== second.height || first.round !== second.round || first.signature === second.signature) return false;
  let messages: ConsensusMessage[];
  if (evidence.kind === 'duplicate-vote') {
    const votes = [evidence.first, evidence.second];
    if (votes[0]!.type !== votes[1]!.type || votes[0]!.valueId === votes[1]!.valueId || votes.some((v) => v.validator !== byzantine.account)) return false;
    messages = votes.map((v) => ({ vote: v }));
  } else {
    const proposals = [evidence.first, evidence.second];
    if (proposals.some((p) => p.proposer !== byzantine.account || p.valueId !== blockHash(p.value.header))) return false;
    messages = proposals.map((p) => ({ proposal: p }));
  }
  try {
    decodeConsensusMessages(CHAIN, encodeConsensusMessages(messages), verifySignature);
    return true;
  } catch {
    return false;
  }
}

/** What the byzantine validator does, given the honest traffic it hears. */
interface Misbehaviour {
  /** An honest validator's vote for a (type, height, round) heard for the first time: the votes to sign in reply. */
  answer(heard: VoteIn): VoteIn[];
  /** It is the proposer of (height, round) and its copy of the chain is at height − 1. */
  propose(chain: Chain, height: number, round: number): Promise<void>;
}

/**
 * Joins the hub as the byzantine validator: hears honest consensus gossip, answers each
 * honest vote slot once, and proposes when its turn comes (at once for round 0 after the
 * previous height, else when it hears of the round). Its own verdicts are always 'ignore'.
 */
async function joinAsValidator(honest: readonly Member[], misbehaviour: Misbehaviour): Promise<{ readonly peer: NodeNetwork; readonly errors: unknown[]; readonly followErrors: unknown[] }> {
  const peer = net.hub.join(BYZ);
  const errors: unknown[] = [];
  const answered = new Set<string>();
  const proposed = new Set<string>();
  /** Rounds heard of, by height: one heard before the copy of the chain caught up is proposed in when it does. */
  const roundsHeard = new Map<number, Set<number>>();
  let work: Promise<void> = Promise.resolve();
  const followed = await followChain(genesis, honest[0]!.node, (height) => {
    for (const round of new Set([0, ...(roundsHeard.get(height + 1) ?? [])])) maybePropose(height + 1, round);
  });

  function maybePropose(height: number, round: number): void {
    const slot = `${height}/${round}`;
    if (proposer(height, round) !== byzantine.account || proposed.has(slot) || followed.chain.head().height !== height - 1) return;
    proposed.add(slot);
    work = work.then(() => misbehaviour.propose(followed.chain, height, round)).catch((error: unknown) => void errors.push(error));
  }

  peer.subscribe('consensus', (bytes) => {
    for (const message of decodeConsensusMessages(CHAIN, bytes, () => true)) {
      const { height, round } = 'proposal' in message ? message.proposal : message.vote;
      if ('vote' in message && message.vote.validator !== byzantine.account) {
        const slot = `${message.vote.type}/${height}/${round}`;
        if (!answered.has(slot)) {
          answered.add(slot);
          for (const reply of misbehaviour.answer(message.vote)) peer.publish('consensus', gossipOf({ vote: reply }));
        }
      }
      if (!roundsHeard.has(height)) roundsHeard.set(height, new Set());
      roundsHeard.get(height)!.add(round);
      maybePropose(height, round);
    }
    return 'ignore';
  });
  return { peer, errors, followErrors: followed.errors };
}

/** Publishes from the byzantine peer to `targets` only (the hub's links to the others are cut while it publishes). */
function publishOnlyTo(peer: NodeNetwork, targets: readonly Member[], bytes: Uint8Array): void {
  const others = net.members.filter((m) => !targets.includes(m)).map((m) => m.name);
  net.hub.partition([BYZ], others);
  peer.publish('consensus', bytes);
  net.hub.heal();
}

describe('a byzantine validator among three honest ones', () => {
  it('equivocates in votes and proposals: the honest nodes commit one chain and hold signed evidence against it', async () => {
    const honest = await startNetwork(keys.slice(0, 3));
    const joined = await joinAsValidator(honest, {
      // The honest vote's value, and a second vote of the same type for a hash that names nothing.
      answer: (heard) => [vote(byzantine, heard.type, heard.height, heard.round, heard.valueId), vote(byzantine, heard.type, heard.height, heard.round, madeUpHash())],
      // Two valid blocks that differ in time: v0 and v1 see the first one first, v2 the second; then everyone gets both.
      async propose(chain, height, round) {
        const time = nextBlockTime(chain.head().time, Math.floor(Date.now() / 1000));
        const [first, second] = [time, time + 1].map((at) => {
          const block = chain.buildOnFork(at, [], byzantine.account).block;
          return gossipOf({ proposal: signProposal(CHAIN, byzantine.secretKey, byzantine.account, { height, round, validRound: -1, value: block, valueId: blockHash(block.header) }) });
        });
        publishOnlyTo(joined.peer, honest.slice(0, 2), first!);
        publishOnlyTo(joined.peer, honest.slice(2), second!);
        joined.peer.publish('consensus', first!);
        joined.peer.publish('consensus', second!);
      },
    });
    const evidenceOf = (m: Member, kind: Evidence<Block>['kind']) => m.node.evidence().filter((e) => e.kind === kind);
    await commitUntil('each honest node holds evidence of both kinds', honest, () =>
      honest.every((m) => evidenceOf(m, 'duplicate-vote').length > 0 && evidenceOf(m, 'duplicate-proposal').length > 0),
    );
    const heights = await commitRound(honest);
    const top = await oneChain(genesis, honest);
    expect(top).toBeGreaterThanOrEqual(Math.max(...heights));
    for (const m of honest) {
      await holdsEachTransactionOnce(m);
      // Every entry names the byzantine validator, holds two different messages, and both signatures verify.
      expect(m.node.evidence().filter((evidence) => !signedByByzantine(evidence))).toEqual([]);
      expect(m.fatal).toEqual([]);
    }
    expect(joined.errors).toEqual([]);
    expect(joined.followErrors).toEqual([]);
  });

  it('votes and proposes blocks that do not exist or are invalid: only valid blocks are committed, and blocks keep coming', async () => {
    const honest = await startNetwork(keys.slice(0, 3));
    /** Every hash the byzantine validator voted for or proposed. */
    const lies = new Set<string>();
    /** The invalid block it proposed, by height and round. */
    const proposedBlocks = new Map<string, string>();
    const joined = await joinAsValidator(honest, {
      // One vote for each slot (so no equivocation): for its own invalid block if it proposed one, else for a hash that names nothing.
      answer(heard) {
        const valueId = proposedBlocks.get(`${heard.height}/${heard.round}`) ?? madeUpHash();
        lies.add(valueId);
        return [vote(byzantine, heard.type, heard.height, heard.round, valueId)];
      },
      // A block whose state root is not the state it leads to.
      async propose(chain, height, round) {
        const built = chain.buildOnFork(nextBlockTime(chain.head().time, Math.floor(Date.now() / 1000)), [], byzantine.account).block;
        const block: Block = { ...built, header: { ...built.header, stateRoot: madeUpHash() } };
        const valueId = blockHash(block.header);
        proposedBlocks.set(`${height}/${round}`, valueId);
        lies.add(valueId);
        joined.peer.publish('consensus', gossipOf({ proposal: signProposal(CHAIN, byzantine.secretKey, byzantine.account, { height, round, validRound: -1, value: block, valueId }) }));
      },
    });
    await commitUntil('the byzantine validator has proposed and two more heights are committed', honest, () => proposedBlocks.size > 0 && honest[0]!.node.status().height >= 5);
    const top = await oneChain(genesis, honest);
    for (let height = 1; height <= top; height++) {
      const block = (await honest[0]!.node.block(height))!;
      const commit = (await honest[0]!.node.commitOf(height))!;
      expect(lies.has(blockHash(block.header))).toBe(false);
      expect(block.header.proposer).not.toBe(byzantine.account);
      expect(commit.precommits.map((p) => p.validator)).not.toContain(byzantine.account);
      // Its invalid block was refused, so the round it proposed in could not decide.
      if (proposedBlocks.has(`${height}/0`)) expect(commit.round).toBeGreaterThanOrEqual(1);
    }
    expect(lies.size).toBeGreaterThan(top);
    for (const m of honest) {
      await holdsEachTransactionOnce(m);
      // Wrong votes, one per slot, are not equivocation.
      expect(m.node.evidence()).toEqual([]);
      expect(m.fatal).toEqual([]);
    }
    expect(joined.errors).toEqual([]);
    expect(joined.followErrors).toEqual([]);
  });

  // A block's proposer must be a validator (chain.ts `evaluate`).
  it('a block whose header names a proposer outside the validator set is refused', async () => {
    const honest = await startNetwork(keys.slice(0, 3));
    const proposedAt: number[] = [];
    const joined = await joinAsValidator(honest, {
      answer: (heard) => [vote(byzantine, heard.type, heard.height, heard.round, heard.valueId)],
      // A valid block in every other way, naming a key outside the set as its proposer.
      async propose(chain, height, round) {
        const block = chain.buildOnFork(nextBlockTime(chain.head().time, Math.floor(Date.now() / 1000)), [], outsider.account).block;
        joined.peer.publish('consensus', gossipOf({ proposal: signProposal(CHAIN, byzantine.secretKey, byzantine.account, { height, round, validRound: -1, value: block, valueId: blockHash(block.header) }) }));
        proposedAt.push(height);
      },
    });
    await commitUntilDecided(honest, proposedAt, (block) => block.header.proposer === outsider.account);
    const top = await oneChain(genesis, honest);
    const named = new Set<string>();
    for (let height = 1; height <= top; height++) named.add((await honest[0]!.node.block(height))!.header.proposer);
    expect([...named].filter((account) => !genesis.validators.some((v) => v.account === account))).toEqual([]);
  });

  // A proposal's time may be ahead of a validator's clock by MAX_CLOCK_DRIFT_SECONDS at most (chain.ts `evaluate`).
  it('a block dated a year ahead of the validators\' clocks is refused', async () => {
    const honest = await startNetwork(keys.slice(0, 3));
    const YEAR = 365 * 24 * 3600;
    const proposedAt: number[] = [];
    const joined = await joinAsValidator(honest, {
      answer: (heard) => [vote(byzantine, heard.type, heard.height, heard.round, heard.valueId)],
      async propose(chain, height, round) {
        const block = chain.buildOnFork(Math.floor(Date.now() / 1000) + YEAR, [], byzantine.account).block;
        joined.peer.publish('consensus', gossipOf({ proposal: signProposal(CHAIN, byzantine.secretKey, byzantine.account, { height, round, validRound: -1, value: block, valueId: blockHash(block.header) }) }));
        proposedAt.push(height);
      },
    });
    await commitUntilDecided(honest, proposedAt, (block) => block.header.time > Math.floor(Date.now() / 1000) + 60);
    await oneChain(genesis, honest);
    expect(honest[0]!.node.status().time).toBeLessThan(Math.floor(Date.now() / 1000) + 60);
  });

  it('withholds every message: the three honest ones commit, moving past each round it should have proposed', async () => {
    const honest = await startNetwork(keys.slice(0, 3));
    net.hub.join(BYZ);
    await commitUntil('height 5', honest, () => honest[0]!.node.status().height >= 5);
    const top = await oneChain(genesis, honest);
    let skipped = 0;
    for (let height = 1; height <= top; height++) {
      const block = (await honest[0]!.node.block(height))!;
      const commit = (await honest[0]!.node.commitOf(height))!;
      expect(block.header.proposer).not.toBe(byzantine.account);
      expect(commit.precommits.map((p) => p.validator).sort()).toEqual(keys.slice(0, 3).map((k) => k.account).sort());
      if (proposer(height, 0) === byzantine.account) {
        skipped += 1;
        expect(commit.round).toBeGreaterThanOrEqual(1);
      }
    }
    expect(skipped).toBeGreaterThanOrEqual(1);
    for (const m of honest) await holdsEachTransactionOnce(m);
    expect(honest.every((m) => m.node.evidence().length === 0 && m.fatal.length === 0)).toBe(true);
  });
});

describe('a hostile peer outside the validator set', () => {
  /** Joins the hub as a peer that keeps every consensus gossip message it hears. */
  function joinAsPeer(): { readonly peer: NodeNetwork; readonly heard: { readonly bytes: Uint8Array; readonly heights: number[] }[] } {
    const peer = net.hub.join(BYZ);
    const heard: { bytes: Uint8Array; heights: number[] }[] = [];
    peer.subscribe('consensus', (bytes) => {
      const heights = decodeConsensusMessages(CHAIN, bytes, () => true).map((m) => ('proposal' in m ? m.proposal.height : m.vote.height));
      heard.push({ bytes, heights });
      return 'ignore';
    });
    return { peer, heard };
  }

  /** Publishes from the hostile peer and waits for each member's verdict on it. */
  async function verdictsOn(peer: NodeNetwork, members: readonly Member[], topic: GossipTopic, bytes: Uint8Array): Promise<Verdict[]> {
    const fromPeer = (m: Member) => m.verdicts.filter((v) => v.topic === topic && v.from === BYZ);
    const before = members.map((m) => fromPeer(m).length);
    peer.publish(topic, bytes);
    await waitFor(`every member's verdict on ${topic}`, () => members.every((m, i) => fromPeer(m).length > before[i]!));
    return members.map((m, i) => fromPeer(m)[before[i]!]!.verdict);
  }

  it('garbage, forgeries and oversized messages are rejected, replays of old heights ignored; the chain goes on', async () => {
    const members = await startNetwork(keys);
    const { peer, heard } = joinAsPeer();
    await commitRound(members);
    await commitRound(members);
    await waitFor('every member to enter a height above 2', () => members.every((m) => m.node.consensusPosition()!.height > 2));
    const current = members[0]!.node.consensusPosition()!.height;
    const old = heard.find((h) => h.heights.length > 0 && h.heights.every((height) => height === 1))!;
    expect(old).toBeDefined();
    const honestText = new TextDecoder().decode(old.bytes);
    const validatorVote = vote(keys[0]!, 'prevote', current, 0, null);
    const outsiderVote = vote(outsider, 'prevote', current, 0, null);
    const consensus: [string, Uint8Array, Verdict][] = [
      ['random bytes', randomBytes(200), 'reject'],
      ['text that is not JSON', utf8('not a consensus message'), 'reject'],
      ['a truncated honest message', old.bytes.subarray(0, old.bytes.length >> 1), 'reject'],
      ['an honest message with a space in front (not canonical)', utf8(` ${honestText}`), 'reject'],
      ['a message over the size limit', new Uint8Array(MAX_CONSENSUS_MESSAGE_BYTES + 1).fill(0x20), 'reject'],
      ['a vote signed by a key outside the set', gossipOf({ vote: outsiderVote }), 'reject'],
      ['a validator vote whose signature does not match', gossipOf({ vote: { ...outsiderVote, validator: keys[0]!.account } }), 'reject'],
      ['a validator vote signed for another chain', gossipOf({ vote: signVote('another-chain', keys[0]!.secretKey, keys[0]!.account, { type: 'prevote', height: current, round: 0, valueId: null }) }), 'reject'],
      ['a valid vote batched with an outsider vote', encodeConsensusMessages([{ vote: validatorVote }, { vote: outsiderVote }]), 'reject'],
      ['a replay of an honest message of height 1', old.bytes, 'ignore'],
      ['the same, sent again under another count', encodeConsensusMessages(decodeConsensusMessages(CHAIN, old.bytes, () => true), 999_999), 'ignore'],
    ];
    const aTx = faucet(outsider, 1n);
    const framed = encodeTxBatch([aTx]);
    const notUtf8 = Uint8Array.of(1, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xfe);
    const countTwo = Uint8Array.from(framed);
    countTwo[0] = 2;
    const otherChain = signTransaction({ chainId: 'another-chain', type: 'faucet', signer: outsider.account, nonce: 0n, body: { asset: 'USD', amount: 1n } }, outsider.secretKey).encoded;
    const txs: [string, Uint8Array, Verdict][] = [
      ['too short for its count', Uint8Array.of(1, 0), 'reject'],
      ['a count of zero', Uint8Array.of(0, 0, 0, 0), 'reject'],
      ['a count above the transactions it holds', countTwo, 'reject'],
      ['bytes after the last transaction', Uint8Array.from([...framed, 0]), 'reject'],
      ['a transaction that is not UTF-8', notUtf8, 'reject'],
      ['text that is not a transaction', encodeTxBatch(['not a transaction']), 'reject'],
      ['a transaction for another chain', encodeTxBatch([otherChain]), 'reject'],
      ['a batch over the size limit', new Uint8Array(MAX_TX_GOSSIP_BYTES + 1), 'reject'],
    ];
    const seen: Record<string, Verdict[]> = {};
    const expected: Record<string, Verdict[]> = {};
    for (const [topic, cases] of [['consensus', consensus], ['txs', txs]] as const) {
      for (const [name, bytes, verdict] of cases) {
        seen[`${topic}: ${name}`] = await verdictsOn(peer, members, topic, bytes);
        expected[`${topic}: ${name}`] = members.map(() => verdict);
      }
    }
    expect(seen).toEqual(expected);
    // A well-formed transaction whose signature is wrong is refused too: a node relays only
    // transactions whose signatures it checked. It never reaches a block or a mempool.
    const forged = faucet(outsider, 2n).replace(/"signature":"[0-9a-f]{128}"/, `"signature":"${'1'.repeat(128)}"`);
    expect(await verdictsOn(peer, members, 'txs', encodeTxBatch([forged]))).toEqual(members.map(() => 'reject'));
    const rejected = [...consensus, ...txs].filter(([, , verdict]) => verdict === 'reject').length + 1;
    expect(net.hub.rejections().get(BYZ)).toBe(rejected * members.length);
    // No honest node was ever judged a wrongdoer.
    expect([...net.hub.rejections().keys()]).toEqual([BYZ]);
    const heights = await commitRound(members);
    expect(await oneChain(genesis, members)).toBeGreaterThanOrEqual(Math.max(...heights));
    expect(members.every((m) => m.fatal.length === 0 && m.node.evidence().length === 0)).toBe(true);
    for (const m of members) {
      await holdsEachTransactionOnce(m);
      expect(await m.node.transaction(txId(forged))).toBeUndefined();
      expect(m.node.status().mempoolSize).toBe(0);
    }
  });

  // A sync that brings an invalid block fails alone: the engine logs it and goes on.
  it('a peer that serves a forged block to a node asking for blocks does not stop it', async () => {
    const members = await startNetwork(keys);
    const peer = net.hub.join(BYZ);
    let served = 0;
    peer.serveBlocks(async (from) => {
      served += 1;
      const real = (await members[0]!.node.block(Math.max(1, from - 1)))!;
      // A block that claims the next height, with a commit no validator signed.
      const header = { ...real.header, height: from };
      const forged = { header, txs: [] };
      const commit = { height: from, round: 0, blockHash: blockHash(header), precommits: [{ validator: keys[0]!.account, signature: '00'.repeat(64) }] };
      return [{ block: utf8(encodeBlock(forged)), commit: utf8(encodeCommit(commit)) }];
    });
    await commitRound(members);
    await waitFor('a validator to ask the hostile peer for blocks', () => served > 0, 15_000);
    const result = await members[1]!.node.submit(faucet(users[1]!, 1n));
    expect(result).toMatchObject({ status: 'committed' });
    expect(members.every((m) => m.fatal.length === 0)).toBe(true);
    await oneChain(genesis, members);
  });

  // An idle engine asks peers for blocks every resend period (bft-engine.ts `behind`); the
  // request runs beside consensus, so a peer that sits on it holds nothing up.
  it('a peer that never answers block requests does not hold up consensus', async () => {
    const members = await startNetwork(keys);
    const peer = net.hub.join(BYZ);
    let asked = 0;
    let answer: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      answer = resolve;
    });
    cleanups.push(() => answer());
    peer.serveBlocks(async () => {
      asked += 1;
      await held;
      return [];
    });
    await commitRound(members);
    // The network is idle now: each node soon asks its peers for blocks above its head.
    // (Not an error if they never ask: then nothing is held, and the transaction must commit.)
    await waitFor('every validator to ask the hostile peer for blocks', () => asked >= members.length, 10_000).catch(() => undefined);
    const submitted = members[0]!.node.submit(faucet(users[0]!, 1n));
    const outcome = await Promise.race([submitted, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 3_000))]);
    expect(outcome).toMatchObject({ status: 'committed' });
  });
});
