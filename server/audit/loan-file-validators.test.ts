import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLoanFile, type LoanFile, verifyLoanFile, verifyLoanFileText } from '../../contracts/audit/loan-file.js';
import { validatorsHash } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { testDatabaseKinds } from '../db/test-databases.js';
import { buildLoanFile, loanFileSource } from './loan-file.js';
import { describeVerdict } from './loan-file-command.js';
import { actors, type LoanBed, runLoanScenario, startLoanBed, usd } from './loan-file-test-kit.js';

/**
 * Loan files of a chain whose validator set changed while the loan ran: the file carries the
 * proof of the change, the verifier follows the set from genesis through it and checks each
 * header's commit against the set of its height; a file with the change left out or altered is
 * refused with the fault named.
 */
const [kind] = await testDatabaseKinds();

type ChangeJson = { header: Record<string, unknown>; commit: { precommits: unknown[] } & Record<string, unknown>; record: string; proof: Record<string, unknown> };
type Json = Record<string, unknown> & { headers: { height: string }[]; validatorChanges: ChangeJson[] };

describe('a loan file across a change of the validator set', () => {
  let bed: LoanBed;
  let before: LoanFile;
  let file: LoanFile;
  let adoptedAt: number;
  const validator = testKey('validator');
  const json = (loanFile: LoanFile): Json => JSON.parse(encodeLoanFile(loanFile)) as Json;
  const failureOf = (value: unknown) => verifyLoanFile(value).failure;

  beforeAll(async () => {
    bed = await startLoanBed(kind!);
    await runLoanScenario(bed, { defaultLoan: false });
    await bed.indexed();
    const source = loanFileSource(bed.node, bed.db);
    before = await buildLoanFile(source, 2);
    // The only validator doubles its power: the set (and its hash) changes two blocks later.
    const change = await bed.submit(validator, 'propose-validator-change', { account: validator.account, power: 2 });
    if (change.status !== 'committed') throw new Error(`the change was refused: ${change.message}`);
    adoptedAt = change.height;
    for (let i = 0; i < 3; i++) {
      const repaid = await bed.submit(actors.carol, 'repay', { loanId: 2, amount: usd(10) });
      if (repaid.status !== 'committed') throw new Error(`the repayment was refused: ${repaid.message}`);
    }
    await bed.indexed();
    file = await buildLoanFile(source, 2);
  }, 60_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('carries the proof of the change and verifies, each commit against the set of its height', () => {
    expect(before.validatorChanges).toEqual([]);
    expect(file.validatorChanges.map((change) => change.header.height)).toEqual([adoptedAt]);
    const heights = file.headers.map((header) => header.height);
    expect(heights.filter((height) => height < adoptedAt + 2).length).toBeGreaterThan(0);
    expect(heights.filter((height) => height >= adoptedAt + 2).length).toBeGreaterThan(0);
    const oldSet = validatorsHash([{ account: validator.account, power: 1 }]);
    const newSet = validatorsHash([{ account: validator.account, power: 2 }]);
    for (const header of file.headers) expect(header.validatorsHash).toBe(header.height < adoptedAt + 2 ? oldSet : newSet);
    const verdict = verifyLoanFileText(encodeLoanFile(file));
    expect(verdict).toMatchObject({ ok: true, loanId: 2, stateHeight: bed.node.status().height });
    expect(verdict.checks).toEqual({ validatorChanges: 1, headers: file.headers.length, commits: file.headers.length, txs: 5 });
    expect(describeVerdict(verdict)).toContain("  1 change of the validator set verified from the genesis set: each block's commit is checked against the set of its height");
  });

  it('refuses the file with the change left out: the first header of the new set is named', () => {
    const removed = json(file);
    removed.validatorChanges = [];
    const first = file.headers.find((header) => header.height >= adoptedAt + 2)!.height;
    const oldSet = validatorsHash([{ account: validator.account, power: 1 }]).slice(0, 12);
    expect(failureOf(removed)).toEqual({ what: expect.stringMatching(new RegExp(`^block ${first} names validator set \\w+…, not the set ${oldSet}… proven for its height$`)), height: first });
  });

  it('refuses the file with the change altered: its record, its commit, its header', () => {
    const prefix = `the file's validator changes do not verify: the validator change at height ${adoptedAt}: `;
    const record = json(file);
    record.validatorChanges[0]!.record = record.validatorChanges[0]!.record.replace('"power":"2"', '"power":"3"');
    expect(failureOf(record)).toEqual({ what: `${prefix}its record's proof does not verify against the block's state root`, height: adoptedAt });
    const unsigned = json(file);
    unsigned.validatorChanges[0]!.commit.precommits = [];
    expect(failureOf(unsigned)).toEqual({ what: `${prefix}its commit does not verify against the set then in effect (NO_QUORUM)`, height: adoptedAt });
    const header = json(file);
    header.validatorChanges[0]!.header.stateRoot = 'ab'.repeat(32);
    expect(failureOf(header)).toEqual({ what: `${prefix}its commit does not verify against the set then in effect (WRONG_BLOCK)`, height: adoptedAt });
    const malformed = json(file);
    delete (malformed.validatorChanges[0] as Partial<ChangeJson>).proof;
    expect(failureOf(malformed)?.what).toBe('the file is not a well-formed loan file: file.validatorChanges[0].proof is missing');
  });

  it('refuses a change adopted above the last block the file holds', () => {
    const early = json(before);
    early.validatorChanges = json(file).validatorChanges;
    const last = before.headers.at(-1)!.height;
    expect(failureOf(early)).toEqual({ what: `the file holds a validator change adopted at block ${adoptedAt}, above its last block ${last}`, height: adoptedAt });
  });
});
