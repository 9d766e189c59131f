import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genesisHash } from '../../contracts/audit/genesis-hash.js';
import { encodeLoanFile, type LoanFile, verifyLoanFile, verifyLoanFileText } from '../../contracts/audit/loan-file.js';
import { sha256HexOfText } from '../../contracts/crypto/sha256.js';
import { txId, validatorsHash } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { encodeGenesis } from '../../node/home/genesis-file.js';
import { testDatabaseKinds } from '../db/test-databases.js';
import { buildLoanFile, IndexBehindError, type LoanFileSource, loanFileSource, LoanNotFoundError } from './loan-file.js';
import { actors, type LoanBed, type LoanScenario, runLoanScenario, startLoanBed, usd } from './loan-file-test-kit.js';

/**
 * Loan files exported from a real node and its index, verified as a browser would; then the
 * same files altered one part at a time, as a forger would, each failing with its fault named.
 */
const [kind] = await testDatabaseKinds();

/** A loan file as parsed JSON, to alter like a forger with a text editor. */
type Json = Record<string, unknown> & {
  transactions: Record<string, unknown>[];
  headers: Record<string, unknown>[];
  commits: { precommits: unknown[] }[];
  loan: Record<string, unknown>;
  loanState: Record<string, unknown> & { proof: { siblings: string[] } };
  genesis: { validators: unknown[] };
  validatorChanges: (Record<string, unknown> & { record: string; header: { height: string }; commit: { precommits: unknown[] } })[];
};

/** A different hex digit at `at`. */
const flip = (hex: string, at = 0) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);

describe('loan files', () => {
  let bed: LoanBed;
  let scenario: LoanScenario;
  let source: LoanFileSource;
  const files = new Map<number, LoanFile>();
  const json = (loanId: number): Json => JSON.parse(encodeLoanFile(files.get(loanId)!)) as Json;
  const failureOf = (value: unknown) => verifyLoanFile(value).failure;

  beforeAll(async () => {
    bed = await startLoanBed(kind!);
    scenario = await runLoanScenario(bed, { defaultLoan: true });
    await bed.indexed();
    source = loanFileSource(bed.node, bed.db);
    for (const id of [1, 2, 3]) files.set(id, await buildLoanFile(source, id));
  }, 60_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('exports a repaid loan whose file verifies offline, every transaction, header and commit counted', () => {
    const file = files.get(1)!;
    expect(file.loan).toMatchObject({ id: 1, status: 'repaid', principal: usd(1_000), borrower: actors.bob.account });
    // The take that made it and two repayments; not carol's take of the same offer.
    expect(file.transactions.map((t) => JSON.parse(t.encoded).type)).toEqual(['take-offer', 'repay', 'repay']);
    expect(file.transactions.find((t) => t.id === scenario.repayOne)!.proof.length).toBeGreaterThan(0);
    const verdict = verifyLoanFileText(encodeLoanFile(file));
    expect(verdict).toMatchObject({ ok: true, loanId: 1, chainId: bed.genesis.market.params.chainId, genesisHash: genesisHash(bed.genesis), stateHeight: bed.node.status().height });
    expect(verdict.failure).toBeUndefined();
    expect(verdict.checks).toEqual({ validatorChanges: 0, txs: 3, headers: file.headers.length, commits: file.headers.length });
    expect(file.validatorChanges).toEqual([]);
    expect(verdict.loan).toEqual(bed.node.loan(1));
  });

  it('exports a loan made from a funded request that defaulted, the funding of both lenders included', () => {
    const file = files.get(3)!;
    expect(file.loan).toMatchObject({ id: 3, status: 'defaulted', orderId: 2, principal: usd(2_000) });
    expect(file.transactions.map((t) => JSON.parse(t.encoded).type)).toEqual(['fund-request', 'fund-request', 'declare-default']);
    const verdict = verifyLoanFile(json(3));
    expect(verdict).toMatchObject({ ok: true, loanId: 3, checks: { txs: 3 } });
    expect(verdict.loan?.status).toBe('defaulted');
    expect(verifyLoanFile(json(2))).toMatchObject({ ok: true, loanId: 2, checks: { txs: 2 } });
  });

  it('hashes the genesis as the genesis file encodes it, and accepts only the expected chain when told', () => {
    expect(files.get(1)!.genesisHash).toBe(sha256HexOfText(encodeGenesis(bed.genesis)));
    expect(verifyLoanFile(json(1), { genesisHash: genesisHash(bed.genesis) }).ok).toBe(true);
    expect(verifyLoanFile(json(1), { genesisHash: 'ab'.repeat(32) }).failure?.what).toMatch(/^the file is of the chain whose genesis hash is .*, not the expected abababab/);
  });

  it('names an altered amount: the bytes no longer hash to the id, nor does the signature verify once the id is recomputed', () => {
    const file = json(1);
    const entry = file.transactions.find((t) => t.id === scenario.repayOne)!;
    const encoded = (entry.encoded as string).replace(`"amount":"${usd(300)}"`, `"amount":"${usd(30)}"`);
    expect(encoded).not.toBe(entry.encoded);
    entry.encoded = encoded;
    const height = scenario.sharedHeight;
    expect(failureOf(file)).toEqual({ what: expect.stringMatching(/^the bytes of transaction \w+… do not hash to its id/), height, txId: scenario.repayOne });
    entry.id = txId(encoded);
    expect(failureOf(file)).toEqual({ what: expect.stringMatching(/^the signature of transaction \w+… does not verify under its signer's key$/), height, txId: txId(encoded) });
    const verdict = verifyLoanFile(file);
    expect(verdict.checks.txs).toBe(1);
    expect(verdict.checks.commits).toBe(files.get(1)!.headers.length);
  });

  it('names an altered signature', () => {
    const file = json(1);
    const entry = file.transactions[1]!;
    const encoded = (entry.encoded as string).replace(/"signature":"([0-9a-f]{4})/, (_m, hex: string) => `"signature":"${flip(hex)}`);
    expect(encoded).not.toBe(entry.encoded);
    Object.assign(entry, { encoded, id: txId(encoded) });
    expect(failureOf(file)?.what).toMatch(/^the signature of transaction .* does not verify/);
  });

  it('names a removed precommit, a foreign validator set and a header that is not the committed one', () => {
    const last = files.get(1)!.headers.at(-1)!.height;
    const unsigned = json(1);
    unsigned.commits[unsigned.commits.length - 1]!.precommits = [];
    expect(failureOf(unsigned)).toEqual({ what: `the commit certificate of block ${last} holds precommits of 2/3 of the power or less`, height: last });

    // A whole other genesis validator set, with the genesis hash made to agree: the headers name the chain's set.
    const stranger = { account: testKey('stranger').account, power: '1' };
    const foreignSet = json(1);
    foreignSet.genesis.validators = [stranger];
    foreignSet.genesisHash = genesisHash({ ...bed.genesis, validators: [{ account: stranger.account, power: 1 }] });
    const first = files.get(1)!.headers[0]!.height;
    const strangerSet = validatorsHash([{ account: stranger.account, power: 1 }]).slice(0, 12);
    expect(failureOf(foreignSet)).toEqual({ what: expect.stringMatching(new RegExp(`^block ${first} names validator set .*, not the set ${strangerSet}… proven for its height$`)), height: first });

    const header = json(1);
    header.headers[0]!.stateRoot = 'ab'.repeat(32);
    expect(failureOf(header)).toEqual({ what: `the header of block ${first} does not hash to the block its commit certificate finalises`, height: first });
    const genesis = json(1);
    genesis.genesisHash = flip(genesis.genesisHash as string);
    expect(failureOf(genesis)?.what).toMatch(/^the genesis hash the file states .* is not the hash of the genesis it holds/);
  });

  it('names an altered sibling of an inclusion proof and of the state proof', () => {
    const file = json(1);
    const entry = file.transactions.find((t) => t.id === scenario.repayOne)!;
    const proof = entry.proof as string[];
    proof[0] = flip(proof[0]!, 10);
    expect(failureOf(file)).toEqual({
      what: `the inclusion proof of transaction ${scenario.repayOne.slice(0, 12)}… does not lead to the tx root of block ${scenario.sharedHeight}`,
      height: scenario.sharedHeight,
      txId: scenario.repayOne,
    });
    const state = json(1);
    state.loanState.proof.siblings[0] = flip(state.loanState.proof.siblings[0]!, 5);
    const height = files.get(1)!.loanState.height;
    expect(failureOf(state)).toEqual({ what: `the loan's record and its state proof do not lead to the state root of block ${height}`, height });
  });

  it("names another loan's transaction swapped in, from the very same block", () => {
    const file = json(1);
    const other = json(2).transactions.find((t) => t.id === scenario.repayTwo)!;
    const at = file.transactions.findIndex((t) => t.id === scenario.repayOne);
    file.transactions[at] = other;
    expect(failureOf(file)).toEqual({ what: expect.stringMatching(/is a repay of loan #2, not of loan #1$/), height: scenario.sharedHeight, txId: scenario.repayTwo });
    // Carol's take of the same offer names the loan's order, but is not the borrower's: brought in with its block's header and commit.
    const take = json(1);
    const loanTwo = json(2);
    const carolsTake = loanTwo.transactions[0]!;
    const height = Number(carolsTake.height);
    take.transactions[0] = carolsTake;
    const slot = take.headers.findIndex((h) => Number(h.height) > height);
    take.headers.splice(slot, 0, loanTwo.headers.find((h) => Number(h.height) === height)!);
    take.commits.splice(slot, 0, loanTwo.commits.find((c) => Number((c as unknown as { height: string }).height) === height)!);
    expect(failureOf(take)).toEqual({ what: expect.stringMatching(/is a take-offer signed by \w+…, who is not the borrower of loan #1$/), height, txId: carolsTake.id });
    // Without the take that made it, the file does not show where the loan came from.
    const noTake = json(1);
    noTake.transactions.splice(0, 1);
    expect(failureOf(noTake)?.what).toMatch(/^the file holds no take-offer, fund-request or accept-funding of order #1 in a block at the loan's start time/);
  });

  it('names an altered term of the loan, and an altered proven record', () => {
    const file = json(1);
    file.loan.principal = usd(9_000).toString();
    const height = files.get(1)!.loanState.height;
    expect(failureOf(file)).toEqual({ what: `the loan's principal stated in the file ("${usd(9_000)}") is not the proven record's ("${usd(1_000)}")`, height });
    const apr = json(1);
    apr.loan.aprBps = '100';
    expect(failureOf(apr)?.what).toBe(`the loan's aprBps stated in the file ("100") is not the proven record's ("900")`);
    const record = json(1);
    record.loanState.record = (record.loanState.record as string).replace('"repaid"', '"active"');
    expect(failureOf(record)?.what).toBe(`the loan's record and its state proof do not lead to the state root of block ${height}`);
    const numbers = json(1);
    numbers.loan.aprBps = 900;
    expect(failureOf(numbers)?.what).toMatch(/^the loan's terms stated in the file hold a value with no canonical form/);
  });

  it('refuses garbage and malformed files with a clear message, never throwing', () => {
    expect(verifyLoanFileText('{"format": "lendnet-loan-file/2", ').failure?.what).toBe('the file is not a loan file: input is not valid JSON');
    expect(verifyLoanFileText(new Uint8Array([0xff, 0xfe, 0x00])).failure?.what).toBe('the file is not a loan file: input is not valid UTF-8');
    expect(failureOf(null)?.what).toBe('the file is not a well-formed loan file: the file does not hold a JSON object');
    expect(failureOf([1, 2])?.what).toBe('the file is not a well-formed loan file: the file does not hold a JSON object');
    expect(failureOf({ format: 'lendnet-loan-file/9' })?.what).toBe('the file is not a well-formed loan file: its format is "lendnet-loan-file/9", not "lendnet-loan-file/2"');
    expect(failureOf({ ...json(1), format: 'lendnet-loan-file/1' })?.what).toBe('the file is not a well-formed loan file: its format is "lendnet-loan-file/1", not "lendnet-loan-file/2"');
    const missing = json(1);
    delete (missing as Partial<Json>).commits;
    expect(failureOf(missing)?.what).toBe('the file is not a well-formed loan file: file.commits is missing');
    const bad = json(1);
    bad.transactions[0]!.proof = 'nope';
    expect(failureOf(bad)?.what).toBe('the file is not a well-formed loan file: file.transactions[0].proof must be an array');
    const cyclic = json(1);
    cyclic.loan.self = cyclic.loan;
    expect(verifyLoanFile(cyclic).ok).toBe(false);
    for (const value of [undefined, 7, 'text', {}, { format: 'lendnet-loan-file/2' }]) expect(verifyLoanFile(value)).toMatchObject({ ok: false, loanId: null });
  });

  it('refuses to export a loan that does not exist, or while the index is behind the chain', async () => {
    await expect(buildLoanFile(source, 99)).rejects.toBeInstanceOf(LoanNotFoundError);
    const behind: LoanFileSource = { ...source, loanTransactions: async (id) => ({ ...(await source.loanTransactions(id)), indexedHeight: 1 }) };
    await expect(buildLoanFile(behind, 1)).rejects.toBeInstanceOf(IndexBehindError);
  });
});
