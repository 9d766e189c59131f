import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type Block, blockContentHash, blockHash, fromHex, GENESIS_PREVIOUS_HASH, type KeyPair, proposalBytes, toHex, utf8, verifySignature, type VoteType, voteBytes } from '../../contracts/index.js';
import { CHAIN_ID, testKey } from '../../contracts/test/fixtures.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { SignedProposal } from './messages.js';
import { DoubleSignRefused, LOCK_FILE, PrivateValidator, SIGNING_STATE_FILE, SigningStateCorrupt, writeFileDurably } from './private-validator.js';
import type { VoteIn } from './tendermint.js';

/**
 * The signing guard: never two different messages for one (height, round, step), also across a
 * restart, which a new PrivateValidator on the same folder stands for.
 */

const CHAIN = CHAIN_ID;
const key = testKey('private-validator-test');
const folders: string[] = [];

afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function freshFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'lendnet-private-validator-'));
  folders.push(folder);
  return folder;
}

function hashOf(label: string): string {
  return toHex(sha256(utf8(label)));
}

function makeBlock(height: number, salt = ''): Block {
  const header = {
    chainId: CHAIN,
    height,
    time: 1_000 + height,
    previousHash: height === 1 ? GENESIS_PREVIOUS_HASH : hashOf(`previous ${height} ${salt}`),
    txRoot: hashOf(`txs ${height} ${salt}`),
    stateRoot: hashOf(`state ${height} ${salt}`),
    validatorsHash: hashOf('validators'),
    proposer: key.account,
  };
  return { header, txs: [`tx of ${height} ${salt}`] };
}

function proposalRequest(height: number, round: number, validRound: number, salt = '') {
  const value = makeBlock(height, salt);
  return { height, round, validRound, value, valueId: blockHash(value.header) };
}

function vote(type: VoteType, height: number, round: number, valueId: string | null) {
  return { type, height, round, valueId };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

function voteVerifies(signed: VoteIn, signer: KeyPair = key): boolean {
  return signed.validator === signer.account && verifySignature(signer.publicKey, voteBytes(CHAIN, signed.type, signed.height, signed.round, signed.valueId), fromHex(signed.signature));
}

function proposalVerifies(signed: SignedProposal): boolean {
  return signed.proposer === key.account && verifySignature(key.publicKey, proposalBytes(CHAIN, signed.height, signed.round, signed.validRound, signed.valueId, blockContentHash(signed.value)), fromHex(signed.signature));
}

describe('PrivateValidator signing', () => {
  it('signs a vote and a proposal whose signatures verify', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    expect(signer.account).toBe(key.account);
    expect(signer.lastSigned()).toBeUndefined();
    const proposal = await signer.signProposal(proposalRequest(1, 0, -1));
    expect(proposalVerifies(proposal)).toBe(true);
    const prevote = await signer.signVote(vote('prevote', 1, 0, proposal.valueId));
    expect(voteVerifies(prevote)).toBe(true);
    expect(prevote).toMatchObject({ type: 'prevote', height: 1, round: 0, valueId: proposal.valueId, validator: key.account });
    expect(signer.lastSigned()).toEqual({ height: 1, round: 0, step: 2 });
  });

  it('signing the same vote twice returns the same signature', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    const first = await signer.signVote(vote('prevote', 3, 1, hashOf('a')));
    const again = await signer.signVote(vote('prevote', 3, 1, hashOf('a')));
    expect(again).toEqual(first);
    const nil = await signer.signVote(vote('precommit', 3, 1, null));
    expect(await signer.signVote(vote('precommit', 3, 1, null))).toEqual(nil);
  });

  it('signing the same proposal twice returns the same signature', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    const first = await signer.signProposal(proposalRequest(2, 1, 0));
    expect(await signer.signProposal(proposalRequest(2, 1, 0))).toEqual(first);
  });

  it('refuses a different vote at the same height, round and step', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    await signer.signVote(vote('prevote', 3, 1, hashOf('a')));
    expect(await rejection(signer.signVote(vote('prevote', 3, 1, hashOf('b'))))).toBeInstanceOf(DoubleSignRefused);
    expect(await rejection(signer.signVote(vote('prevote', 3, 1, null)))).toBeInstanceOf(DoubleSignRefused);
    await signer.signVote(vote('precommit', 3, 1, null));
    expect(await rejection(signer.signVote(vote('precommit', 3, 1, hashOf('a'))))).toBeInstanceOf(DoubleSignRefused);
  });

  it('refuses a different proposal in the same round: another block, or another validRound', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    await signer.signProposal(proposalRequest(2, 1, -1));
    expect(await rejection(signer.signProposal(proposalRequest(2, 1, -1, 'other')))).toBeInstanceOf(DoubleSignRefused);
    expect(await rejection(signer.signProposal(proposalRequest(2, 1, 0)))).toBeInstanceOf(DoubleSignRefused);
  });

  it('refuses every earlier (height, round, step), with proposal before prevote before precommit', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    await signer.signVote(vote('prevote', 5, 2, hashOf('a')));
    const earlier = [
      signer.signProposal(proposalRequest(5, 2, -1)),
      signer.signVote(vote('prevote', 5, 1, hashOf('a'))),
      signer.signVote(vote('precommit', 5, 1, hashOf('a'))),
      signer.signProposal(proposalRequest(4, 9, -1)),
      signer.signVote(vote('precommit', 4, 100, null)),
    ];
    for (const attempt of earlier) expect(await rejection(attempt)).toBeInstanceOf(DoubleSignRefused);
    expect(signer.lastSigned()).toEqual({ height: 5, round: 2, step: 2 });
  });

  it('signs each later position', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    const positions: { readonly height: number; readonly round: number; readonly step: number }[] = [];
    for (const height of [1, 2]) {
      for (const round of [0, 1, 5]) {
        const proposal = await signer.signProposal(proposalRequest(height, round, round - 1));
        positions.push(signer.lastSigned()!);
        expect(proposalVerifies(proposal)).toBe(true);
        expect(voteVerifies(await signer.signVote(vote('prevote', height, round, proposal.valueId)))).toBe(true);
        positions.push(signer.lastSigned()!);
        expect(voteVerifies(await signer.signVote(vote('precommit', height, round, null)))).toBe(true);
        positions.push(signer.lastSigned()!);
      }
    }
    expect(positions).toHaveLength(18);
    expect(positions[0]).toEqual({ height: 1, round: 0, step: 1 });
    expect(positions[17]).toEqual({ height: 2, round: 5, step: 3 });
  });

  it('a refused request leaves the guard as it was', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    const first = await signer.signVote(vote('prevote', 3, 1, hashOf('a')));
    await rejection(signer.signVote(vote('prevote', 3, 1, hashOf('b'))));
    expect(await signer.signVote(vote('prevote', 3, 1, hashOf('a')))).toEqual(first);
  });

  it('votes signed for one chain do not verify for another', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, 'lendnet-other');
    const signed = await signer.signVote(vote('prevote', 1, 0, null));
    expect(voteVerifies(signed)).toBe(false);
    expect(verifySignature(key.publicKey, voteBytes('lendnet-other', 'prevote', 1, 0, null), fromHex(signed.signature))).toBe(true);
  });
});

describe('PrivateValidator across a restart', () => {
  it('a new guard on the same folder refuses what the old one would (no double sign after restart)', async () => {
    const folder = await freshFolder();
    const before = await PrivateValidator.open(folder, key, CHAIN);
    const signed = await before.signVote(vote('prevote', 5, 0, hashOf('a')));
    const after = await PrivateValidator.open(folder, key, CHAIN);
    expect(after.lastSigned()).toEqual({ height: 5, round: 0, step: 2 });
    expect(await rejection(after.signVote(vote('prevote', 5, 0, hashOf('b'))))).toBeInstanceOf(DoubleSignRefused);
    expect(await rejection(after.signVote(vote('prevote', 5, 0, null)))).toBeInstanceOf(DoubleSignRefused);
    expect(await rejection(after.signProposal(proposalRequest(5, 0, -1)))).toBeInstanceOf(DoubleSignRefused);
    expect(await rejection(after.signVote(vote('precommit', 4, 3, null)))).toBeInstanceOf(DoubleSignRefused);
    expect(await after.signVote(vote('prevote', 5, 0, hashOf('a')))).toEqual(signed);
    expect(voteVerifies(await after.signVote(vote('precommit', 5, 0, hashOf('a'))))).toBe(true);
  });

  it('a proposal signed before the restart is refused in another version after it', async () => {
    const folder = await freshFolder();
    const signed = await (await PrivateValidator.open(folder, key, CHAIN)).signProposal(proposalRequest(8, 2, 1));
    const after = await PrivateValidator.open(folder, key, CHAIN);
    expect(await rejection(after.signProposal(proposalRequest(8, 2, 1, 'other')))).toBeInstanceOf(DoubleSignRefused);
    expect(await after.signProposal(proposalRequest(8, 2, 1))).toEqual(signed);
  });

  it('random sign requests across reopenings never sign two messages for one position, and every signature verifies (property)', async () => {
    const request = fc.oneof(
      fc.record({
        kind: fc.constant('sign' as const),
        step: fc.constantFrom('proposal', 'prevote', 'precommit'),
        height: fc.integer({ min: 1, max: 3 }),
        round: fc.integer({ min: 0, max: 2 }),
        value: fc.constantFrom('a', 'b', 'nil'),
        validRound: fc.constantFrom(-1, 0),
      }),
      fc.constant({ kind: 'reopen' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 16 }), async (requests) => {
        const folder = await mkdtemp(join(tmpdir(), 'lendnet-private-validator-property-'));
        try {
          let signer = await PrivateValidator.open(folder, key, CHAIN);
          // What was signed at each position, and the last position signed (the model of the guard).
          const signedAt = new Map<string, string>();
          let last: { readonly order: readonly number[]; readonly content: string } | undefined;
          for (const r of requests) {
            if (r.kind === 'reopen') {
              signer = await PrivateValidator.open(folder, key, CHAIN);
              continue;
            }
            const step = { proposal: 1, prevote: 2, precommit: 3 }[r.step];
            const position = `${r.height}/${r.round}/${step}`;
            let content: string;
            let attempt: Promise<string>;
            if (r.step === 'proposal') {
              const proposal = proposalRequest(r.height, r.round, r.validRound < r.round ? r.validRound : -1, r.value);
              content = `${proposal.validRound}/${proposal.valueId}`;
              attempt = signer.signProposal(proposal).then((signed) => {
                expect(proposalVerifies(signed)).toBe(true);
                return signed.signature;
              });
            } else {
              const valueId = r.value === 'nil' ? null : hashOf(r.value);
              content = valueId ?? 'nil';
              attempt = signer.signVote(vote(r.step, r.height, r.round, valueId)).then((signed) => {
                expect(voteVerifies(signed)).toBe(true);
                return signed.signature;
              });
            }
            const order = [r.height, r.round, step];
            const compared = last === undefined ? 1 : order[0]! - last.order[0]! || order[1]! - last.order[1]! || order[2]! - last.order[2]!;
            const expectSigned = compared > 0 || (compared === 0 && last?.content === content);
            let signature: string | undefined;
            try {
              signature = await attempt;
            } catch (error) {
              expect(error).toBeInstanceOf(DoubleSignRefused);
            }
            expect(signature !== undefined).toBe(expectSigned);
            if (signature === undefined) continue;
            const previous = signedAt.get(position);
            // The safety property itself: one content per position, ever.
            if (previous !== undefined) expect(previous).toBe(`${content}/${signature}`);
            signedAt.set(position, `${content}/${signature}`);
            last = { order, content };
          }
        } finally {
          await rm(folder, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('PrivateValidator signing-state file', () => {
  const corrupt: readonly [string, string][] = [
    ['not JSON', 'signed up to height 5'],
    ['empty', ''],
    ['half written', '{"height":5,"round":0,'],
    ['null', 'null'],
    ['an array', '[5,0,2]'],
    ['a number', '5'],
    ['an empty object', '{}'],
    ['a height as a string', '{"height":"5","round":0,"step":2,"signBytesHash":"00","signature":"00"}'],
    ['a fractional round', '{"height":5,"round":0.5,"step":2,"signBytesHash":"00","signature":"00"}'],
    ['no signature', '{"height":5,"round":0,"step":2,"signBytesHash":"00"}'],
    ['a numeric hash', '{"height":5,"round":0,"step":2,"signBytesHash":0,"signature":"00"}'],
  ];
  for (const [what, text] of corrupt) {
    it(`open() throws SigningStateCorrupt for a file that is ${what}`, async () => {
      const folder = await freshFolder();
      await writeFile(join(folder, SIGNING_STATE_FILE), text);
      expect(await rejection(PrivateValidator.open(folder, key, CHAIN))).toBeInstanceOf(SigningStateCorrupt);
    });
  }

  it('the signing-state and lock files are created with mode 0600, and no temporary file is left', async () => {
    const folder = await freshFolder();
    const signer = await PrivateValidator.open(folder, key, CHAIN);
    await signer.signVote(vote('prevote', 1, 0, null));
    const block = makeBlock(1);
    await signer.saveCarried(1, { locked: { round: 0, value: block, valueId: blockHash(block.header) } });
    expect((await stat(join(folder, SIGNING_STATE_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(join(folder, LOCK_FILE))).mode & 0o777).toBe(0o600);
    expect((await readdir(folder)).sort()).toEqual([LOCK_FILE, SIGNING_STATE_FILE].sort());
  });

  it('the file on disk names the last position signed', async () => {
    const folder = await freshFolder();
    const signer = await PrivateValidator.open(folder, key, CHAIN);
    const signed = await signer.signVote(vote('precommit', 9, 4, hashOf('a')));
    const stored = JSON.parse(await readFile(join(folder, SIGNING_STATE_FILE), 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ height: 9, round: 4, step: 3, signature: signed.signature });
  });

  it('a signature is handed out only once it is on disk: a failed write signs nothing', async () => {
    const folder = await freshFolder();
    const gone = join(folder, 'gone');
    await mkdir(gone);
    const signer = await PrivateValidator.open(gone, key, CHAIN);
    await rm(gone, { recursive: true });
    const error = await rejection(signer.signVote(vote('prevote', 2, 0, hashOf('a'))));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(DoubleSignRefused);
    expect(signer.lastSigned()).toBeUndefined();
    await mkdir(gone);
    // Nothing was signed at 2/0 prevote, so another value may still be signed there.
    expect(voteVerifies(await signer.signVote(vote('prevote', 2, 0, hashOf('b'))))).toBe(true);
  });

  it('writeFileDurably replaces a file whole, with mode 0600', async () => {
    const file = join(await freshFolder(), 'state.json');
    await writeFileDurably(file, 'first');
    await writeFileDurably(file, 'second, longer');
    expect(await readFile(file, 'utf8')).toBe('second, longer');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await expect(stat(`${file}.tmp`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('PrivateValidator consensus lock', () => {
  const lockedBlock = makeBlock(4, 'locked');
  const validBlock = makeBlock(4, 'valid');
  const carried = {
    locked: { round: 1, value: lockedBlock, valueId: blockHash(lockedBlock.header) },
    valid: { round: 2, value: validBlock, valueId: blockHash(validBlock.header) },
  };
  // What is persisted: rounds and block hashes, not the blocks.
  const persisted = {
    locked: { round: 1, valueId: blockHash(lockedBlock.header) },
    valid: { round: 2, valueId: blockHash(validBlock.header) },
  };

  it('saveCarried and loadCarried round trip a lock and a valid value (rounds and hashes) for the same height', async () => {
    const folder = await freshFolder();
    const signer = await PrivateValidator.open(folder, key, CHAIN);
    await signer.saveCarried(4, carried);
    expect(await signer.loadCarried(4)).toEqual(persisted);
    // After a restart too.
    expect(await (await PrivateValidator.open(folder, key, CHAIN)).loadCarried(4)).toEqual(persisted);
  });

  it('loadCarried gives nothing for another height', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    await signer.saveCarried(4, carried);
    expect(await signer.loadCarried(5)).toEqual({});
    expect(await signer.loadCarried(3)).toEqual({});
  });

  it('loadCarried gives nothing when none was saved, and nothing for a lock file that does not read', async () => {
    const folder = await freshFolder();
    const signer = await PrivateValidator.open(folder, key, CHAIN);
    expect(await signer.loadCarried(1)).toEqual({});
    await writeFile(join(folder, LOCK_FILE), '{"height":4,"locked":{"round":1,"valueId":"00","block":"not a block"}}');
    expect(await signer.loadCarried(4)).toEqual({});
    await writeFile(join(folder, LOCK_FILE), 'not JSON');
    expect(await signer.loadCarried(4)).toEqual({});
  });

  it('a lock alone or a valid value alone round trips, and a later save replaces an earlier one', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    await signer.saveCarried(4, { locked: carried.locked });
    expect(await signer.loadCarried(4)).toEqual({ locked: persisted.locked });
    await signer.saveCarried(4, { valid: carried.valid });
    expect(await signer.loadCarried(4)).toEqual({ valid: persisted.valid });
    await signer.saveCarried(5, {});
    expect(await signer.loadCarried(5)).toEqual({});
    expect(await signer.loadCarried(4)).toEqual({});
  });

  it('saving the same carried state again is not a second write', async () => {
    const folder = await freshFolder();
    const signer = await PrivateValidator.open(folder, key, CHAIN);
    await signer.saveCarried(4, carried);
    await writeFile(join(folder, LOCK_FILE), 'overwritten');
    await signer.saveCarried(4, carried);
    expect(await readFile(join(folder, LOCK_FILE), 'utf8')).toBe('overwritten');
  });

  // The lock is remembered as saved only once written: after a failed write, saving the same
  // state again writes it.
  it('saving again after a failed write persists the lock', async () => {
    const folder = await freshFolder();
    const gone = join(folder, 'gone');
    await mkdir(gone);
    const signer = await PrivateValidator.open(gone, key, CHAIN);
    await rm(gone, { recursive: true });
    expect(await rejection(signer.saveCarried(4, carried))).toBeInstanceOf(Error);
    await mkdir(gone);
    await signer.saveCarried(4, carried);
    expect(await signer.loadCarried(4)).toEqual(persisted);
  });
});

describe('PrivateValidator under concurrent requests', () => {
  it('of 20 different votes fired at once for one position, exactly one is signed', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => signer.signVote(vote('prevote', 7, 0, hashOf(`value ${i}`)))));
    const signed = results.filter((r): r is PromiseFulfilledResult<VoteIn> => r.status === 'fulfilled').map((r) => r.value);
    expect(signed).toHaveLength(1);
    // Requests are served in the order they came.
    expect(signed[0]!.valueId).toBe(hashOf('value 0'));
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DoubleSignRefused);
  });

  it('20 identical requests fired at once all get the same signature', async () => {
    const signer = await PrivateValidator.open(await freshFolder(), key, CHAIN);
    const signed = await Promise.all(Array.from({ length: 20 }, () => signer.signVote(vote('precommit', 7, 0, hashOf('a')))));
    expect(new Set(signed.map((s) => s.signature)).size).toBe(1);
  });

  it('requests at random positions fired at once sign at most one content per position, in rising order (property)', async () => {
    const request = fc.record({
      step: fc.constantFrom<VoteType>('prevote', 'precommit'),
      round: fc.integer({ min: 0, max: 3 }),
      value: fc.constantFrom('a', 'b', 'nil'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 20, maxLength: 20 }), async (requests) => {
        const folder = await mkdtemp(join(tmpdir(), 'lendnet-private-validator-concurrent-'));
        try {
          const signer = await PrivateValidator.open(folder, key, CHAIN);
          const results = await Promise.allSettled(requests.map((r) => signer.signVote(vote(r.step, 1, r.round, r.value === 'nil' ? null : hashOf(r.value)))));
          const contentAt = new Map<string, string>();
          let lastOrder = -1;
          for (const result of results) {
            if (result.status === 'rejected') {
              expect(result.reason).toBeInstanceOf(DoubleSignRefused);
              continue;
            }
            const signed = result.value;
            expect(voteVerifies(signed)).toBe(true);
            const position = `${signed.round}/${signed.type}`;
            const content = `${signed.valueId}/${signed.signature}`;
            expect(contentAt.get(position) ?? content).toBe(content);
            contentAt.set(position, content);
            const order = signed.round * 2 + (signed.type === 'prevote' ? 0 : 1);
            expect(order).toBeGreaterThanOrEqual(lastOrder);
            lastOrder = order;
          }
          expect(contentAt.size).toBeGreaterThan(0);
        } finally {
          await rm(folder, { recursive: true, force: true });
        }
      }),
      { numRuns: 15 },
    );
  });
});
