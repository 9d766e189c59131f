import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Block, blockHash, GENESIS_PREVIOUS_HASH } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import { appendEvidence, readEvidence } from './evidence-log.js';
import { signProposal, signVote } from './messages.js';

const CHAIN = 'lendnet-evidence-test';
const validator = testKey('evidence-validator');
const folders: string[] = [];

afterEach(async () => {
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function file(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lendnet-evidence-'));
  folders.push(dir);
  return join(dir, 'evidence.jsonl');
}

function block(time: number): Block {
  const hash = (c: string) => c.repeat(64);
  return { header: { chainId: CHAIN, height: 3, time, previousHash: GENESIS_PREVIOUS_HASH, txRoot: hash('1'), stateRoot: hash('2'), validatorsHash: hash('3'), proposer: validator.account }, txs: [] };
}

const vote = (valueId: string | null) => signVote(CHAIN, validator.secretKey, validator.account, { type: 'precommit', height: 3, round: 1, valueId });
const proposal = (value: Block) => signProposal(CHAIN, validator.secretKey, validator.account, { height: 3, round: 1, validRound: -1, value, valueId: blockHash(value.header) });

describe('the evidence file', () => {
  it('keeps each equivocation as two signed messages that verify with no node', async () => {
    const path = await file();
    await appendEvidence(path, { kind: 'duplicate-vote', first: vote('a'.repeat(64)), second: vote(null) });
    await appendEvidence(path, { kind: 'duplicate-proposal', first: proposal(block(10)), second: proposal(block(11)) });
    const read = await readEvidence(path, CHAIN, fastVerify);
    expect(read.map((entry) => entry.kind)).toEqual(['duplicate-vote', 'duplicate-proposal']);
    expect(read[0]!.messages).toEqual([{ vote: vote('a'.repeat(64)) }, { vote: vote(null) }]);
  });

  it('refuses a line whose signature was altered, or whose two messages do not conflict', async () => {
    const path = await file();
    await appendEvidence(path, { kind: 'duplicate-vote', first: vote('a'.repeat(64)), second: vote('b'.repeat(64)) });
    const text = await readFile(path, 'utf8');
    const signature = vote('a'.repeat(64)).signature;
    await writeFile(path, text.replace(signature, `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`));
    await expect(readEvidence(path, CHAIN, fastVerify)).rejects.toThrow();
    const same = await file();
    await appendEvidence(same, { kind: 'duplicate-vote', first: vote('a'.repeat(64)), second: vote('a'.repeat(64)) });
    await expect(readEvidence(same, CHAIN, fastVerify)).rejects.toThrow(/not two conflicting messages/);
  });
});
