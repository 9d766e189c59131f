import { describe, expect, it } from 'vitest';
import { toHex } from '../codec/canonical.js';
import { testKey } from '../test/fixtures.js';
import { signMessage } from '../tx/keys.js';
import { type BlockHeader, blockHash, type CommitCertificate, GENESIS_PREVIOUS_HASH, precommitBytes, type Validator, validatorsHash } from './block.js';
import { checkCommit, isQuorum } from './commit.js';

const keys = ['v0', 'v1', 'v2', 'v3'].map(testKey);
const validators: Validator[] = keys.map((key) => ({ account: key.account, power: 1 }));

const header: BlockHeader = {
  chainId: 'lendnet-test',
  height: 7,
  time: 1_700_000_000,
  previousHash: GENESIS_PREVIOUS_HASH,
  txRoot: 'ab'.repeat(32),
  stateRoot: 'cd'.repeat(32),
  validatorsHash: validatorsHash(validators),
  proposer: keys[0]!.account,
};

function commitBy(signers: number[], of: BlockHeader = header, round = 0): CommitCertificate {
  const hash = blockHash(of);
  return {
    height: of.height,
    round,
    blockHash: hash,
    precommits: signers.map((i) => ({
      validator: keys[i]!.account,
      signature: toHex(signMessage(keys[i]!.secretKey, precommitBytes(of.chainId, of.height, round, hash))),
    })),
  };
}

describe('commit certificates', () => {
  it('more than 2/3 of the power finalises a block', () => {
    expect(checkCommit(header, commitBy([0, 1, 2]), validators)).toBeUndefined();
    expect(checkCommit(header, commitBy([3, 1, 0, 2]), validators)).toBeUndefined();
  });

  it('exactly 2/3 or less is no quorum', () => {
    expect(checkCommit(header, commitBy([0, 1]), validators)).toBe('NO_QUORUM');
    const three = validators.slice(0, 3);
    const headerOfThree = { ...header, validatorsHash: validatorsHash(three) };
    expect(checkCommit(headerOfThree, commitBy([0, 1], headerOfThree), three)).toBe('NO_QUORUM'); // 3 × 2 = 2 × 3
    expect(isQuorum(3n, 4n)).toBe(true);
    expect(isQuorum(2n, 3n)).toBe(false);
  });

  it('names the fault of a commit that does not finalise the header', () => {
    const good = commitBy([0, 1, 2]);
    expect(checkCommit({ ...header, height: 8 }, good, validators)).toBe('WRONG_HEIGHT');
    expect(checkCommit({ ...header, stateRoot: 'ce'.repeat(32) }, good, validators)).toBe('WRONG_BLOCK');
    expect(checkCommit(header, good, validators.slice(0, 3))).toBe('WRONG_VALIDATOR_SET');
    const stranger = { validator: testKey('stranger').account, signature: good.precommits[0]!.signature };
    expect(checkCommit(header, { ...good, precommits: [...good.precommits, stranger] }, validators)).toBe('UNKNOWN_VALIDATOR');
    expect(checkCommit(header, { ...good, precommits: [...good.precommits, good.precommits[0]!] }, validators)).toBe('DUPLICATE_PRECOMMIT');
    const flipped = good.precommits[1]!.signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(checkCommit(header, { ...good, precommits: [good.precommits[0]!, { ...good.precommits[1]!, signature: flipped }, good.precommits[2]!] }, validators)).toBe(
      'BAD_PRECOMMIT_SIGNATURE',
    );
    // a precommit for another round does not count for this one
    expect(checkCommit(header, { ...commitBy([0, 1, 2], header, 1), round: 0 }, validators)).toBe('BAD_PRECOMMIT_SIGNATURE');
  });

  it('every header field changes the block hash', () => {
    const base = blockHash(header);
    const changed: Partial<BlockHeader>[] = [
      { chainId: 'lendnet-other' },
      { height: 8 },
      { time: header.time + 1 },
      { previousHash: '11'.repeat(32) },
      { txRoot: 'ac'.repeat(32) },
      { stateRoot: 'ce'.repeat(32) },
      { validatorsHash: '22'.repeat(32) },
      { proposer: keys[1]!.account },
    ];
    for (const change of changed) expect(blockHash({ ...header, ...change })).not.toBe(base);
  });
});
