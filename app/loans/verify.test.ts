import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amountOwed } from '../../contracts/index.js';
import type { StateProof } from '../../contracts/proofs/state-proof.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { testDatabaseKinds } from '../../server/db/test-databases.js';
import { type ApiTestbed, startTestbed } from '../../server/api/test-kit.js';
import { loanDifferences } from './compare';
import { type TrustAnchor, trustAnchor, verifyBlock, verifyLoanState, verifyTransaction } from './verify';

/**
 * The loan page's checks on real answers of the audit procedures, from a node that made, repaid
 * and indexed two loans; then on answers altered one field at a time, as a lying node would.
 */
const [kind] = await testDatabaseKinds();
const lender = testKey('lender');
const borrower = testKey('borrower');
const usd = (units: number) => BigInt(units) * 1_000_000n;
const DAY = 86_400;

describe('verifying a loan file in the browser', () => {
  let bed: ApiTestbed;
  let anchor: TrustAnchor;
  let loan: Awaited<ReturnType<ReturnType<ApiTestbed['caller']>['loans']['byId']>>;

  beforeAll(async () => {
    bed = await startTestbed(kind!);
    const api = bed.caller();
    const submit = async (key: typeof lender, type: string, body: Parameters<ApiTestbed['sign']>[2]) => {
      const tx = bed.sign(key, type, body);
      expect(await api.tx.submit({ wire: tx.encoded })).toMatchObject({ status: 'committed', indexed: true });
    };
    await submit(lender, 'faucet', { asset: 'USD', amount: usd(10_000) });
    await submit(borrower, 'faucet', { asset: 'USD', amount: usd(1_000) });
    const offer = { asset: 'USD', amount: usd(5_000), minTicket: usd(100), maxTicket: usd(5_000), aprBps: 900, term: 60 * DAY, schedule: 'amortizing', installments: 2, expiresAt: 4_000_000_000 };
    await submit(lender, 'post-lend-offer', offer);
    await submit(borrower, 'take-offer', { orderId: 1, amount: usd(1_000) });
    await submit(borrower, 'take-offer', { orderId: 1, amount: usd(500) });
    await submit(borrower, 'repay', { loanId: 1, amount: usd(300) });
    await submit(borrower, 'repay', { loanId: 1, amount: amountOwed(bed.node.loan(1)!) });
    await bed.indexed();
    anchor = trustAnchor(await api.audit.validatorHistory());
    expect(anchor).toMatchObject({ chainId: (await api.chain.head()).chainId, changes: 0 });
    loan = await api.loans.byId({ id: 1 });
  }, 60_000);

  afterAll(async () => {
    await bed?.close();
  });

  const evidenceOf = async (txId: string) => {
    const tx = await bed.caller().audit.txInclusion({ id: txId });
    return { tx, commit: await bed.caller().audit.commit({ height: tx.height }) };
  };

  it("verifies every event of a repaid loan: signature, inclusion, header and commit", async () => {
    expect(loan.status).toBe('repaid');
    const withTx = loan.events.filter((e) => e.txId !== null);
    expect(withTx.map((e) => e.type)).toEqual(expect.arrayContaining(['loanOriginated', 'repayment', 'loanRepaid']));
    for (const event of withTx) {
      const { tx, commit } = await evidenceOf(event.txId!);
      const verdict = verifyTransaction({ id: event.txId!, height: event.height }, tx, commit, anchor, (_type, body) => (body as { loanId?: number; orderId?: number }).loanId === 1 || (body as { orderId?: number }).orderId === 1);
      expect(verdict, `event ${event.type} at ${event.height}`).toEqual({ ok: true, checks: expect.arrayContaining([{ name: 'Signed by its signer', ok: true }]) });
      expect(verdict.checks).toHaveLength(8);
    }
    const commit = await bed.caller().audit.commit({ height: loan.events[0]!.height });
    expect(verifyBlock(loan.events[0]!.height, commit, anchor).ok).toBe(true);
  });

  it('names the failed check when a node alters the transaction, its proof, its header or its commit', async () => {
    const event = loan.events.find((e) => e.type === 'repayment')!;
    const { tx, commit } = await evidenceOf(event.txId!);
    const expected = { id: event.txId!, height: event.height };
    const failureOf = (...args: Parameters<typeof verifyTransaction>) => verifyTransaction(...args).failure;

    // The amount repaid changed: the bytes no longer hash to the id.
    const altered = tx.encoded.replace(/"amount":"(\d)/, (_m, d: string) => `"amount":"${d === '9' ? '8' : '9'}`);
    expect(altered).not.toBe(tx.encoded);
    expect(failureOf(expected, { ...tx, encoded: altered }, commit, anchor)).toBe('the transaction bytes do not hash to its id');
    // A signature that is not the signer's, under the id of the altered bytes: the signature check fails on its own.
    const { txId } = await import('../../contracts/tx/envelope.js');
    const forged = tx.encoded.replace(/"signature":"(.)/, (_m, c: string) => `"signature":"${c === '0' ? '1' : '0'}`);
    const forgedVerdict = verifyTransaction({ id: txId(forged), height: event.height }, { ...tx, id: txId(forged), encoded: forged }, commit, anchor);
    expect(forgedVerdict.checks.find((c) => c.name === 'Signed by its signer')?.ok).toBe(false);
    expect(forgedVerdict.ok).toBe(false);

    const badProof = tx.proof.length > 0 ? [tx.proof[0]!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')), ...tx.proof.slice(1)] : ['ab'.repeat(32)];
    expect(failureOf(expected, { ...tx, proof: badProof }, commit, anchor)).toMatch(/inclusion proof/);
    expect(failureOf({ ...expected, height: expected.height + 1 }, tx, commit, anchor)).toMatch(/not in block/);
    const otherHeader = { ...tx.header, stateRoot: 'ab'.repeat(32) };
    expect(failureOf(expected, { ...tx, header: otherHeader }, commit, anchor)).toBe(`the header of block ${event.height} is not the one its commit certificate names`);

    const stranger = { account: testKey('stranger').account, power: 1 };
    const history = await bed.caller().audit.validatorHistory();
    expect(failureOf(expected, tx, commit, trustAnchor({ ...history, genesisValidators: [stranger] }))).toBe('the block names a validator set other than the one proven for its height');
    expect(failureOf(expected, tx, commit, { ...anchor, chainId: 'lendnet-other' })).toMatch(/do not decode: the transaction is for chain/);
    const unsigned = { ...commit, commit: { ...commit.commit, precommits: [] } };
    expect(failureOf(expected, tx, unsigned, anchor)).toBe('the precommits hold 2/3 of the power or less');
    expect(verifyBlock(event.height, unsigned, anchor).failure).toBe('the precommits hold 2/3 of the power or less');
    expect(failureOf(expected, tx, commit, anchor, () => false)).toBe('the transaction is about another loan or order');
  });

  it("proves the loan's record against a final block's state root and compares it with the index", async () => {
    const proof = await bed.caller().audit.stateProof({ kind: 'loan', id: 1 });
    const commit = await bed.caller().audit.commit({ height: proof.head.height });
    const evidence = { ...proof, proof: proof.proof as unknown as StateProof };
    const proven = verifyLoanState(1, evidence, commit, anchor);
    expect(proven.verdict).toMatchObject({ ok: true });
    expect(proven.loan).toMatchObject({ id: 1, status: 'repaid', principal: usd(1_000) });
    expect(loanDifferences(loan, proven.loan!)).toEqual([]);
    expect(loanDifferences({ ...loan, status: 'active', paidInstallments: 1, shares: [] }, proven.loan!)).toEqual(['status', 'installments paid', 'lenders']);

    // A record that is not the one in the state: decoded fine, but its proof fails.
    const lying = proof.encoded!.replace('"repaid"', '"active"');
    expect(verifyLoanState(1, { ...evidence, encoded: lying }, commit, anchor).verdict.failure).toBe(`the record's proof does not lead to the state root of block ${proof.head.height}`);
    expect(verifyLoanState(2, evidence, commit, anchor).verdict.failure).toBe("the chain's state holds no readable record of loan #2");
    const otherHead = { ...evidence, head: { ...evidence.head, stateRoot: 'ab'.repeat(32) } };
    expect(verifyLoanState(1, otherHead, commit, anchor).verdict.ok).toBe(false);
  });
  it('checks each commit against the validator set of its height, proven from genesis by the changes the node serves', async () => {
    const api = bed.caller();
    const validator = testKey('validator');
    const commitIn = async (key: typeof lender, type: string, body: Parameters<ApiTestbed['sign']>[2]) => {
      const tx = bed.sign(key, type, body);
      expect(await api.tx.submit({ wire: tx.encoded })).toMatchObject({ status: 'committed' });
      return evidenceOf(tx.id);
    };
    // The only validator doubles its power: a new set (its hash changes) from two blocks on.
    const change = await commitIn(validator, 'propose-validator-change', { account: validator.account, power: 2 });
    const adoptedAt = change.tx.height;
    const repays = [];
    for (let i = 0; i < 3; i++) repays.push(await commitIn(borrower, 'repay', { loanId: 2, amount: usd(10) }));
    await bed.indexed();
    const [stillOld, , late] = repays;
    expect(stillOld!.tx.height).toBe(adoptedAt + 1);
    expect(late!.tx.height).toBeGreaterThanOrEqual(adoptedAt + 2);
    expect(late!.commit.validators).toEqual([{ account: validator.account, power: 2 }]);
    expect(stillOld!.commit.validators).toEqual([{ account: validator.account, power: 1 }]);

    const history = await api.audit.validatorHistory();
    expect(history.changes.map((c) => c.header.height)).toEqual([adoptedAt]);
    const proven = trustAnchor(history);
    expect(proven).toMatchObject({ changes: 1, knownThrough: history.height + 2 });
    const concerns = () => true;
    for (const { tx, commit } of repays) {
      expect(verifyTransaction({ id: tx.id, height: tx.height }, tx, commit, proven, concerns), `block ${tx.height}`).toMatchObject({ ok: true });
    }
    const proof = await api.audit.stateProof({ kind: 'loan', id: 2 });
    const headCommit = await api.audit.commit({ height: proof.head.height });
    expect(verifyLoanState(2, { ...proof, proof: proof.proof as unknown as StateProof }, headCommit, proven).verdict.ok).toBe(true);

    const lateFailure = (against: TrustAnchor) => verifyTransaction({ id: late!.tx.id, height: late!.tx.height }, late!.tx, late!.commit, against, concerns).failure;
    // Without the change, the genesis set is taken for the late block: it names another set.
    expect(lateFailure(trustAnchor({ ...history, changes: [] }))).toBe('the block names a validator set other than the one proven for its height');
    // The change's record altered, or its commit stripped of its precommit: no set is trusted.
    const [proof0] = history.changes;
    const altered = { ...proof0!, record: proof0!.record.replace('"power":"2"', '"power":"3"') };
    expect(altered.record).not.toBe(proof0!.record);
    expect(lateFailure(trustAnchor({ ...history, changes: [altered] }))).toBe(
      `the node's proofs of validator changes do not verify: the validator change at height ${adoptedAt}: its record's proof does not verify against the block's state root`,
    );
    const unsigned = { ...proof0!, commit: { ...proof0!.commit, precommits: [] } };
    expect(lateFailure(trustAnchor({ ...history, changes: [unsigned] }))).toMatch(new RegExp(`^the node's proofs of validator changes do not verify: the validator change at height ${adoptedAt}: its commit does not verify`));
    // An anchor read before the change knows the sets only two blocks past its head.
    expect(late!.tx.height).toBeGreaterThan(anchor.knownThrough);
    expect(lateFailure(anchor)).toBe(`the validator set of block ${late!.tx.height} is not known yet`);
  });
});
