import { describe, expect, it } from 'vitest';
import { isRefusal } from '../errors.js';
import { testKey } from '../test/fixtures.js';
import { type BlockHeader, GENESIS_PREVIOUS_HASH } from './block.js';
import { type Block, decodeBlock, decodeCommit, encodeBlock, encodeCommit } from './block-codec.js';

const header: BlockHeader = {
  chainId: 'lendnet-test',
  height: 2,
  time: 100,
  previousHash: GENESIS_PREVIOUS_HASH,
  txRoot: '01'.repeat(32),
  stateRoot: '02'.repeat(32),
  validatorsHash: '03'.repeat(32),
  proposer: testKey('v0').account,
};
const block: Block = {
  header,
  txs: ['{"a":"1"}', '{"b":"2"}'],
  lastCommit: { height: 1, round: 0, blockHash: '04'.repeat(32), precommits: [{ validator: testKey('v0').account, signature: '05'.repeat(64) }] },
};

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (isRefusal(error)) return error.code;
    throw error;
  }
}

describe('block encoding', () => {
  it('round-trips a block and a commit', () => {
    const wire = encodeBlock(block);
    expect(decodeBlock(wire)).toEqual(block);
    expect(encodeBlock(decodeBlock(wire))).toBe(wire);
    expect(decodeCommit(encodeCommit(block.lastCommit!))).toEqual(block.lastCommit);
    const first = { header: { ...header, height: 1 }, txs: [] };
    expect(decodeBlock(encodeBlock(first))).toEqual(first);
  });

  it('refuses unknown fields, wrong shapes and non-canonical bytes with codes', () => {
    const wire = encodeBlock(block);
    expect(codeOf(() => decodeBlock(wire.replace('{"header"', '{"extra":"1","header"')))).toBe('UNKNOWN_FIELD');
    expect(codeOf(() => decodeBlock(wire.replace('"height":"2"', '"height":2')))).toBe('BAD_FIELD');
    expect(codeOf(() => decodeBlock(wire.replace('"txs":[', ' "txs":[')))).toBe('NON_CANONICAL');
    expect(codeOf(() => decodeBlock(wire.slice(0, -1)))).toBe('MALFORMED');
    expect(codeOf(() => decodeBlock(encodeBlock({ ...block, txs: ['x'.repeat(5_000)] })))).toBe('BAD_FIELD');
  });
});
