import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amountOwed, verifyTxInclusion } from '../../contracts/index.js';
import { testKey } from '../../contracts/test/fixtures.js';
import { testDatabaseKinds } from '../db/test-databases.js';
import { type ApiTestbed, startTestbed } from './test-kit.js';

const kinds = await testDatabaseKinds();

const alice = testKey('alice'); // lender
const carol = testKey('carol'); // lender
const bob = testKey('bob'); // borrower
const dave = testKey('dave'); // borrower, repays in full
const usd = (units: number) => BigInt(units) * 1_000_000n;
const DAY = 86_400;
const EXPIRES = 4_000_000_000;

const offer = (amount: bigint, aprBps: number, term: number, schedule: 'amortizing' | 'bullet', installments: number, collateral?: { asset: string; ratioBps: number }) => ({
  asset: 'USD',
  amount,
  minTicket: usd(100),
  maxTicket: amount,
  aprBps,
  term,
  schedule,
  installments,
  expiresAt: EXPIRES,
  ...(collateral ? { collateral } : {}),
});

describe.each(kinds)('the tRPC API on %s', (kind) => {
  let bed: ApiTestbed;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    bed = await startTestbed(kind);
    const api = bed.caller();
    const submit = async (name: string, key: typeof alice, type: string, body: Parameters<ApiTestbed['sign']>[2]) => {
      const tx = bed.sign(key, type, body);
      const result = await api.tx.submit({ wire: tx.encoded });
      expect(result).toMatchObject({ status: 'committed', id: tx.id, indexed: true });
      ids[name] = tx.id;
    };
    await submit('faucet-alice', alice, 'faucet', { asset: 'USD', amount: usd(100_000) });
    await submit('faucet-carol', carol, 'faucet', { asset: 'USD', amount: usd(100_000) });
    await submit('faucet-bob', bob, 'faucet', { asset: 'USD', amount: usd(1_000) });
    await submit('faucet-dave', dave, 'faucet', { asset: 'USD', amount: usd(1_000) });
    await submit('faucet-dave-col', dave, 'faucet', { asset: 'COL', amount: 500_000_000n });
    await submit('o1', alice, 'post-lend-offer', offer(usd(10_000), 800, 90 * DAY, 'amortizing', 3));
    await submit('o2', alice, 'post-lend-offer', offer(usd(5_000), 1200, 30 * DAY, 'bullet', 1, { asset: 'COL', ratioBps: 15_000 }));
    await submit('o3', carol, 'post-lend-offer', offer(usd(20_000), 600, 180 * DAY, 'amortizing', 6));
    await submit('o4', carol, 'post-lend-offer', offer(usd(2_000), 800, 90 * DAY, 'amortizing', 3));
    await submit('o5', alice, 'post-lend-offer', offer(usd(50_000), 1000, 365 * DAY, 'amortizing', 12, { asset: 'COL', ratioBps: 20_000 }));
    const request = { asset: 'USD', term: 90 * DAY, schedule: 'amortizing', installments: 3, partial: true, expiresAt: EXPIRES };
    await submit('o6', bob, 'post-borrow-request', { ...request, amount: usd(3_000), maxAprBps: 500 });
    await submit('o7', dave, 'post-borrow-request', { ...request, term: 30 * DAY, schedule: 'bullet', installments: 1, amount: usd(7_000), maxAprBps: 400, collateral: { asset: 'COL', amount: 100_000_000n } });
    await submit('o8', carol, 'post-lend-offer', offer(usd(1_000), 800, 90 * DAY, 'amortizing', 3));
    await submit('take-bob', bob, 'take-offer', { orderId: 1, amount: usd(4_000) });
    await submit('repay-bob', bob, 'repay', { loanId: 1, amount: usd(1_000) });
    await submit('take-dave', dave, 'take-offer', { orderId: 4, amount: usd(2_000) });
    await submit('repay-dave', dave, 'repay', { loanId: 2, amount: amountOwed(bed.node.loan(2)!) });
    await bed.indexed();
  }, 120_000);

  afterAll(async () => {
    await bed?.close();
  });

  const bookIds = async (input: Parameters<ReturnType<ApiTestbed['caller']>['market']['book']>[0]) => {
    const page = await bed.caller().market.book(input);
    return page.items.map((o) => o.id);
  };

  it('lists the book by rate, best first, with ties oldest first', async () => {
    expect(await bookIds({ side: 'lend' })).toEqual([3, 1, 8, 5, 2]);
    expect(await bookIds({ side: 'lend', sortDirection: 'desc' })).toEqual([2, 5, 1, 8, 3]);
    expect(await bookIds({ side: 'borrow' })).toEqual([6, 7]);
  });

  it('filters the book by collateral, amount, term, schedule, installments, owner and credit record', async () => {
    expect(await bookIds({ side: 'lend', collateral: 'none' })).toEqual([3, 1, 8]);
    expect(await bookIds({ side: 'lend', collateral: 'required' })).toEqual([5, 2]);
    expect(await bookIds({ side: 'lend', collateralAsset: 'COL' })).toEqual([5, 2]);
    expect(await bookIds({ side: 'lend', amountMin: usd(5_000).toString(), amountMax: usd(10_000).toString() })).toEqual([1, 2]);
    expect(await bookIds({ side: 'lend', termMin: 30 * DAY, termMax: 90 * DAY, sort: 'term' })).toEqual([2, 1, 8]);
    expect(await bookIds({ side: 'lend', schedule: 'bullet' })).toEqual([2]);
    expect(await bookIds({ side: 'lend', installmentsMin: 6 })).toEqual([3, 5]);
    expect(await bookIds({ side: 'lend', rateMinBps: 700, rateMaxBps: 1000 })).toEqual([1, 8, 5]);
    expect(await bookIds({ side: 'lend', owner: alice.account, sort: 'newest' })).toEqual([5, 2, 1]);
    expect(await bookIds({ side: 'borrow', minLoansRepaid: 1 })).toEqual([7]);
    expect(await bookIds({ side: 'borrow', maxDefaults: 0, collateral: 'none' })).toEqual([6]);
    expect(await bookIds({ side: 'lend', asset: 'COL' })).toEqual([]);
  });

  it('sorts the book by amount and newest, and shows what is left of each order', async () => {
    expect(await bookIds({ side: 'lend', sort: 'amount' })).toEqual([5, 3, 1, 2, 8]);
    expect(await bookIds({ side: 'lend', sort: 'amount', sortDirection: 'asc' })).toEqual([8, 2, 1, 3, 5]);
    expect(await bookIds({ side: 'lend', sort: 'newest' })).toEqual([8, 5, 3, 2, 1]);
    const page = await bed.caller().market.book({ side: 'lend', owner: alice.account, sort: 'newest' });
    const first = page.items.find((o) => o.id === 1)!;
    expect(first).toMatchObject({ amount: usd(10_000).toString(), remaining: usd(6_000).toString(), rateBps: 800, ticket: { min: usd(100).toString() } });
    const request = (await bed.caller().market.book({ side: 'borrow', minLoansRepaid: 1 })).items[0]!;
    expect(request.ownerCredit).toEqual({ loansTaken: 1, loansRepaid: 1, defaults: 0 });
    expect(request.collateral).toMatchObject({ asset: 'COL', amount: '100000000' });
  });

  it('pages through every sort giving each row exactly once, in order', async () => {
    for (const sort of ['rate', 'amount', 'term', 'newest'] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        const whole = await bookIds({ side: 'lend', sort, sortDirection: direction, limit: 100 });
        expect(whole).toHaveLength(5);
        for (const limit of [1, 2, 3]) {
          const seen: number[] = [];
          let cursor: string | null = null;
          do {
            const page: Awaited<ReturnType<ReturnType<ApiTestbed['caller']>['market']['book']>> = await bed.caller().market.book({ side: 'lend', sort, sortDirection: direction, limit, cursor });
            expect(page.items.length).toBeLessThanOrEqual(limit);
            seen.push(...page.items.map((o) => o.id));
            cursor = page.nextCursor;
          } while (cursor !== null);
          expect(seen).toEqual(whole);
        }
      }
    }
  });

  it('refuses a cursor made for another listing', async () => {
    const page = await bed.caller().market.book({ side: 'lend', sort: 'rate', limit: 1 });
    await expect(bed.caller().market.book({ side: 'lend', sort: 'amount', limit: 1, cursor: page.nextCursor })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(bed.caller().market.book({ side: 'lend', cursor: 'garbage!' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('charts rates by term and the depth of each side, in integers', async () => {
    const buckets = await bed.caller().market.ratesByTerm({ side: 'lend', asset: 'USD', bucketSeconds: 30 * DAY });
    expect(buckets.map((b) => [b.termFrom / DAY, b.orders, b.minRateBps, b.avgRateBps, b.maxRateBps])).toEqual([
      [30, 1, 1200, 1200, 1200],
      [90, 2, 800, 800, 800],
      [180, 1, 600, 600, 600],
      [360, 1, 1000, 1000, 1000],
    ]);
    expect(buckets[1]!.volume).toBe(usd(7_000).toString());
    const depth = await bed.caller().market.depth({ asset: 'USD' });
    expect(depth.lend.map((l) => [l.rateBps, l.remaining, l.cumulative])).toEqual([
      [600, usd(20_000).toString(), usd(20_000).toString()],
      [800, usd(7_000).toString(), usd(27_000).toString()],
      [1000, usd(50_000).toString(), usd(77_000).toString()],
      [1200, usd(5_000).toString(), usd(82_000).toString()],
    ]);
    expect(depth.borrow.map((l) => [l.rateBps, l.cumulative])).toEqual([
      [500, usd(3_000).toString()],
      [400, usd(10_000).toString()],
    ]);
  });

  it('serves an order with its commitments and events', async () => {
    const order = await bed.caller().market.order({ id: 4 });
    expect(order).toMatchObject({ id: 4, side: 'lend', owner: carol.account, status: 'filled', remaining: '0' });
    expect(order.events.map((e) => e.type)).toContain('orderPosted');
    await expect(bed.caller().market.order({ id: 999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('serves loans by id, borrower, lender and status', async () => {
    const loan = await bed.caller().loans.byId({ id: 1 });
    expect(loan).toMatchObject({ id: 1, borrower: bob.account, principal: usd(4_000).toString(), aprBps: 800, status: 'active', orderId: 1 });
    expect(loan.shares).toEqual([expect.objectContaining({ lender: alice.account, principal: usd(4_000).toString() })]);
    expect(loan.plan).toHaveLength(3);
    expect(loan.payments).toHaveLength(1);
    expect(loan.payments[0]).toMatchObject({ payer: bob.account, txId: ids['repay-bob'] });
    expect(loan.events.map((e) => e.type)).toEqual(expect.arrayContaining(['loanOriginated', 'repayment']));
    const expected = bed.node.loan(1)!;
    expect(loan.totalPaid.principal).toBe(expected.totalPaid.principal.toString());
    expect(loan.outstandingPrincipal).toBe((expected.principal - expected.totalPaid.principal).toString());

    const ofIds = async (input: Parameters<ReturnType<ApiTestbed['caller']>['loans']['list']>[0]) => (await bed.caller().loans.list(input)).items.map((l) => l.id);
    expect(await ofIds({ borrower: bob.account })).toEqual([1]);
    expect(await ofIds({ lender: carol.account })).toEqual([2]);
    expect(await ofIds({ status: 'repaid' })).toEqual([2]);
    expect(await ofIds({})).toEqual([2, 1]);
    const byLender = await bed.caller().loans.list({ lender: carol.account });
    expect(byLender.items[0]!.share).toMatchObject({ lender: carol.account, principal: usd(2_000).toString() });
    await expect(bed.caller().loans.byId({ id: 77 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('gives each account the balances the node holds, its history, credit record and portfolio', async () => {
    for (const key of [alice, bob, carol, dave]) {
      const summary = await bed.caller().accounts.balances({ account: key.account });
      const held = bed.node.account(key.account);
      for (const balance of summary.balances) expect(balance.amount).toBe((held.balances[balance.asset] ?? 0n).toString());
      expect(summary.nextNonce).toBe(held.nonce.toString());
    }
    const aliceSummary = await bed.caller().accounts.balances({ account: alice.account });
    expect(aliceSummary.balances.find((b) => b.asset === 'USD')!.escrowed).toBe(usd(6_000 + 5_000 + 50_000).toString());

    const history = await bed.caller().accounts.history({ account: bob.account, limit: 3 });
    expect(history.items).toHaveLength(3);
    const all = [...history.items];
    let cursor = history.nextCursor;
    while (cursor) {
      const page = await bed.caller().accounts.history({ account: bob.account, limit: 3, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    }
    const keys = all.map((e) => e.height * 1_000_000 + e.seq);
    expect(keys).toEqual([...keys].sort((a, b) => b - a));
    expect(new Set(keys).size).toBe(keys.length);
    expect(all.map((e) => e.type)).toEqual(expect.arrayContaining(['faucetPaid', 'orderPosted', 'loanOriginated', 'repayment']));

    expect(await bed.caller().accounts.credit({ account: dave.account })).toMatchObject({ loansTaken: 1, loansRepaid: 1, defaults: 0 });
    expect(await bed.caller().accounts.credit({ account: alice.account })).toMatchObject({ loansTaken: 0, updatedHeight: null });
    expect((await bed.caller().accounts.orders({ account: carol.account })).items.map((o) => o.id)).toEqual([8, 4, 3]);
    expect((await bed.caller().accounts.loans({ account: alice.account, role: 'lender' })).items.map((l) => l.id)).toEqual([1]);
    expect((await bed.caller().accounts.loans({ account: dave.account, role: 'borrower' })).items.map((l) => l.id)).toEqual([2]);

    const carolPortfolio = await bed.caller().accounts.portfolio({ account: carol.account });
    const carolShare = (await bed.caller().loans.byId({ id: 2 })).shares[0]!;
    const income = BigInt(carolShare.received.interest) + BigInt(carolShare.received.lateFees);
    expect(carolPortfolio.asLender).toEqual([
      expect.objectContaining({ asset: 'USD', loans: 1, active: 0, lent: usd(2_000).toString(), outstanding: '0', realisedYieldBps: ((income * 10_000n) / usd(2_000)).toString() }),
    ]);
    expect(income).toBeGreaterThan(0n);
    const bobPortfolio = await bed.caller().accounts.portfolio({ account: bob.account });
    expect(bobPortfolio.asBorrower).toEqual([expect.objectContaining({ asset: 'USD', loans: 1, active: 1 })]);
    expect(bobPortfolio.nextPayment).toMatchObject({ loanId: 1, asset: 'USD' });
  });

  it('serves blocks, transactions with proofs that verify, validators and search', async () => {
    const head = await bed.caller().chain.head();
    expect(head.indexedHeight).toBe(head.height);
    const blocks = await bed.caller().chain.blocks({ limit: 5 });
    expect(blocks.items.map((b) => b.height)).toEqual([head.height, head.height - 1, head.height - 2, head.height - 3, head.height - 4]);
    const tx = await bed.caller().chain.tx({ id: ids['take-bob']! });
    expect(verifyTxInclusion(tx.header.txRoot, tx.id, tx.index, tx.count, tx.proof)).toBe(true);
    expect(tx.events.map((e) => e.type)).toContain('loanOriginated');
    const block = await bed.caller().chain.block({ height: tx.height });
    expect(block.txs.map((t) => t.id)).toContain(tx.id);
    expect(block.block.txRoot).toBe(tx.header.txRoot);
    const validators = await bed.caller().chain.validators();
    expect(validators.validators).toEqual([{ account: testKey('validator').account, power: 1 }]);

    expect((await bed.caller().chain.search({ term: ids['take-bob']! })).hits).toEqual([{ kind: 'tx', id: ids['take-bob'], height: tx.height }]);
    expect((await bed.caller().chain.search({ term: bob.account })).hits).toEqual([{ kind: 'account', account: bob.account }]);
    expect((await bed.caller().chain.search({ term: '2' })).hits.map((h) => h.kind)).toEqual(['block', 'order', 'loan']);
    expect((await bed.caller().chain.search({ term: 'nothing-here' })).hits).toEqual([]);
  });

  it('serves state proofs and commit certificates', async () => {
    const { verifyStateProof, utf8 } = await import('../../contracts/index.js');
    const proof = await bed.caller().audit.stateProof({ kind: 'balance', account: alice.account, asset: 'USD' });
    expect(proof.present).toBe(true);
    expect(verifyStateProof(proof.head.stateRoot, proof.key, utf8(proof.encoded!), proof.proof)).toBe(true);
    const loan = await bed.caller().audit.stateProof({ kind: 'loan', id: 1 });
    expect(verifyStateProof(loan.head.stateRoot, loan.key, utf8(loan.encoded!), loan.proof)).toBe(true);
    const absent = await bed.caller().audit.stateProof({ kind: 'order', id: 999 });
    expect(absent.present).toBe(false);
    expect(verifyStateProof(absent.head.stateRoot, absent.key, undefined, absent.proof)).toBe(true);
    const commit = await bed.caller().audit.commit({ height: 1 });
    expect(commit.commit.blockHash).toBe(commit.blockHash);
  });

  it("serves a loan's file, which verifies with no node", async () => {
    const { verifyLoanFileText } = await import('../../contracts/audit/loan-file.js');
    const file = await bed.caller().audit.loanFile({ id: 2 });
    expect(file.fileName).toBe('lendnet-loan-2.json');
    const verdict = verifyLoanFileText(file.text);
    expect(verdict).toMatchObject({ ok: true, loanId: 2, checks: { txs: 2 } });
    expect(verdict.loan).toMatchObject({ id: 2, status: 'repaid', borrower: dave.account });
    await expect(bed.caller().audit.loanFile({ id: 999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
