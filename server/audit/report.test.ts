import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Loan, utf8 } from '../../contracts/index.js';
import { DEFAULT_CONFIG } from '../../node/home/config.js';
import { encodeGenesis, type Genesis } from '../../node/home/genesis-file.js';
import { type Home, homePaths, initDevnetHome, loadHome } from '../../node/home/home.js';
import { LedgerNode, verifyInThisThread } from '../../node/ledger/ledger-node.js';
import { statusPath } from '../../node/ledger/run.js';
import { blockKey, openStore } from '../../node/store/index.js';
import { createApiContext } from '../api/handler.js';
import { createCaller } from '../api/router.js';
import { openTestDatabase, testDatabaseKinds } from '../db/test-databases.js';
import { Projector } from '../index/projector.js';
import { type AuditReportRequest, auditReport } from './report-command.js';
import { csvField, csvText, type ReportJson } from './report-format.js';
import { accountReport, type LedgerLoanEvent, outstandingAt, periodReport, periodsOf } from './report.js';
import { AUDIT_VALIDATORS, type AuditChainFigures, auditActors, auditGenesis, buildAuditChain } from './verify-test-chain.js';

/**
 * Auditors' reports on a real chain of loans originated, prepaid, paid late and defaulted:
 * the command's figures from the verified chain agree with the ledger's loan records and
 * payments, CSV follows RFC 4180, and the API's report from the index is the command's.
 */

const ACTORS = 6;
const kinds = await testDatabaseKinds();
let dir: string;
let home: Home;
let genesis: Genesis;
let figures: AuditChainFigures;
let loans: Loan[];
/** Block times of the chain: the first and the last. */
let firstTime: number;
let lastTime: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lendnet-report-'));
  await initDevnetHome(dir, { genesisTime: 1_000 });
  await writeFile(homePaths(dir).genesis, `${encodeGenesis(auditGenesis(ACTORS))}\n`);
  home = await loadHome(dir);
  const store = await openStore(home.dataDir);
  try {
    const built = await buildAuditChain(store, { actors: ACTORS, rounds: 6 });
    ({ genesis, figures } = built);
    loans = [...built.chain.state.entries()].filter(([key]) => key.startsWith('loan/')).map(([, value]) => value as Loan);
    firstTime = (await built.chain.block(1))!.header.time;
    lastTime = built.chain.head().time;
  } finally {
    await store.close();
  }
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function report(request: AuditReportRequest): Promise<{ code: number; text: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await auditReport(home, request, (text) => out.push(text), (line) => err.push(line));
  return { code, text: out.join('\n'), err };
}

async function json<Kind extends ReportJson['kind']>(request: AuditReportRequest & { kind: Kind }): Promise<Extract<ReportJson, { kind: Kind }>> {
  const { code, text, err } = await report(request);
  expect(err).toEqual([]);
  expect(code).toBe(0);
  return JSON.parse(text) as Extract<ReportJson, { kind: Kind }>;
}

const sum = (items: readonly Loan[], amount: (loan: Loan) => bigint) => items.reduce((total, loan) => total + amount(loan), 0n);
const big = (digits: string) => BigInt(digits);

describe('from the verified chain', () => {
  test('a period covering the chain adds up to the ledger’s loan records', async () => {
    expect(figures.repaid).toBeGreaterThan(5);
    expect(figures.defaulted).toBeGreaterThan(5);
    const period = await json({ kind: 'period', format: 'json' });
    expect(period.periods).toHaveLength(1);
    const [usd, ...others] = period.periods[0]!.assets;
    expect(others).toEqual([]);
    const defaulted = loans.filter((loan) => loan.status === 'defaulted');
    expect(usd).toEqual({
      asset: 'USD',
      originated: { count: figures.loans, principal: sum(loans, (l) => l.principal).toString() },
      repayments: {
        count: figures.payments,
        principal: sum(loans, (l) => l.totalPaid.principal).toString(),
        interest: sum(loans, (l) => l.totalPaid.interest).toString(),
        lateFees: sum(loans, (l) => l.totalPaid.lateFees).toString(),
        // The test chain's loans are too short for their interest to reach a minor unit; the
        // pure test below covers interest and its waiver.
        interestWaived: '0',
      },
      late: { count: loans.reduce((n, l) => n + l.lateInstallments, 0), fees: expect.stringMatching(/^[1-9][0-9]*$/) },
      defaults: {
        count: figures.defaulted,
        principal: sum(defaulted, (l) => l.principal - l.totalPaid.principal).toString(),
        collateral: [{ asset: 'COL', amount: sum(defaulted, (l) => l.collateral!.amount).toString() }],
      },
      loansRepaid: figures.repaid,
      outstanding: '0',
    });
    // Principal lent equals principal repaid plus principal written off, as nothing is left active.
    expect(big(usd!.originated.principal)).toBe(big(usd!.repayments.principal) + big(usd!.defaults.principal));
  });

  test('outstanding at a cut equals principal lent less repaid less written off before it, and periods chain', async () => {
    const cut = Math.floor((firstTime + lastTime) / 2);
    const before = (await json({ kind: 'period', from: 0, to: cut, format: 'json' })).periods[0]!.assets[0]!;
    const after = (await json({ kind: 'period', from: cut, to: lastTime + 1, format: 'json' })).periods[0]!.assets[0]!;
    // Repayments before the cut, from each loan's own repayment rows in its loan report.
    let repaidBefore = 0n;
    for (const loan of loans.filter((l) => l.startTime < cut)) {
      const { entries } = await json({ kind: 'loan', loanId: loan.id, format: 'json' });
      repaidBefore += entries.filter((e) => e.type === 'repayment' && e.time < cut).reduce((total, e) => total + big(e.principal), 0n);
    }
    const made = loans.filter((l) => l.startTime < cut);
    const writtenOff = sum(
      made.filter((l) => l.status === 'defaulted' && l.closedAt! < cut),
      (l) => l.principal - l.totalPaid.principal,
    );
    const expected = sum(made, (l) => l.principal) - repaidBefore - writtenOff;
    expect(expected).toBeGreaterThan(0n);
    expect(big(before.outstanding)).toBe(expected);
    const flows = big(after.originated.principal) - big(after.repayments.principal) - big(after.defaults.principal);
    expect(big(before.outstanding) + flows).toBe(big(after.outstanding));
    expect(before.originated.count + after.originated.count).toBe(figures.loans);
    expect(before.defaults.count + after.defaults.count).toBe(figures.defaulted);
  }, 60_000);

  test('an account as borrower and as lender: its loans, its shares’ receipts, pro rata', async () => {
    const accounts = auditActors(ACTORS).map((key) => key.account);
    let lenderPrincipal = 0n;
    let borrowerPrincipal = 0n;
    for (const account of accounts) {
      const { rows, loans: counts } = await json({ kind: 'account', account, format: 'json' });
      const borrowed = loans.filter((l) => l.borrower === account);
      const lent = loans.filter((l) => l.shares.some((s) => s.lender === account));
      expect(counts).toEqual({ borrower: borrowed.length, lender: lent.length });
      const borrower = rows.find((r) => r.role === 'borrower')!;
      const lender = rows.find((r) => r.role === 'lender')!;
      expect(borrower.repayments.principal).toBe(sum(borrowed, (l) => l.totalPaid.principal).toString());
      expect(borrower.repayments.interest).toBe(sum(borrowed, (l) => l.totalPaid.interest).toString());
      expect(lender.originated.principal).toBe(sum(lent, (l) => l.shares.filter((s) => s.lender === account).reduce((t, s) => t + s.principal, 0n)).toString());
      expect(lender.outstanding).toBe('0');
      lenderPrincipal += big(lender.repayments.principal) + big(lender.defaults.principal);
      borrowerPrincipal += big(borrower.repayments.principal) + big(borrower.defaults.principal);
    }
    // Every unit of principal lent comes back to some lender, repaid or written off.
    expect(lenderPrincipal).toBe(sum(loans, (l) => l.principal));
    expect(borrowerPrincipal).toBe(lenderPrincipal);
  }, 60_000);

  test('a loan that defaulted after a late installment, and one repaid: terms, payments, totals', async () => {
    const defaulted = loans.find((l) => l.status === 'defaulted' && l.lateInstallments > 0)!;
    const file = await json({ kind: 'loan', loanId: defaulted.id, format: 'json' });
    expect(file.status).toBe('defaulted');
    expect(file.closedAt).toBe(defaulted.closedAt);
    expect(file.loan).toMatchObject({ id: defaulted.id, borrower: defaulted.borrower, principal: defaulted.principal.toString(), aprBps: defaulted.aprBps, installments: 3 });
    expect(file.totals.paid).toEqual({ lateFees: defaulted.totalPaid.lateFees.toString(), interest: defaulted.totalPaid.interest.toString(), principal: defaulted.totalPaid.principal.toString() });
    expect(file.totals.defaultedPrincipal).toBe((defaulted.principal - defaulted.totalPaid.principal).toString());
    expect(file.totals.lateInstallments).toBe(defaulted.lateInstallments);
    expect(file.totals.outstanding).toBe('0');
    expect(file.entries.map((e) => e.type)).toEqual(['loanOriginated', 'repayment', ...Array(defaulted.lateInstallments).fill('installmentLate'), 'loanDefaulted']);

    const repaid = loans.find((l) => l.status === 'repaid')!;
    const csv = await report({ kind: 'loan', loanId: repaid.id, format: 'csv' });
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe('loan_id,height,seq,time,event,payer,prepay,installment,late_fees,interest,principal,interest_waived,late_fee_charged,collateral,outstanding_principal');
    expect(lines.at(-1)).toMatch(new RegExp(`^${repaid.id},[0-9]+,[0-9]+,[0-9]+,loanRepaid,,,,0,0,0,0,0,${repaid.collateral!.amount},0$`));

    expect(await report({ kind: 'loan', loanId: 99_999, format: 'json' })).toEqual({ code: 1, text: '', err: ['lendnet: no loan 99999 on the chain'] });
  });
});

describe('CSV', () => {
  test('fields are quoted by RFC 4180, lines end in CRLF', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(12345678901234567890123n)).toBe('12345678901234567890123');
    expect(csvText(['a', 'b'], [['x,y', 1n]])).toBe('a,b\r\n"x,y",1\r\n');
  });

  test('a period report as CSV: one row per period and asset, the JSON’s figures', async () => {
    const csv = await report({ kind: 'period', format: 'csv' });
    const period = await json({ kind: 'period', format: 'json' });
    const [header, ...rows] = csv.text.split('\r\n').map((line) => line.split(','));
    expect(rows).toHaveLength(period.periods.reduce((n, p) => n + p.assets.length, 0));
    const row = Object.fromEntries(header!.map((name, i) => [name, rows[0]![i]]));
    const usd = period.periods[0]!.assets[0]!;
    expect(row).toMatchObject({ asset: 'USD', originated_principal: usd.originated.principal, repaid_interest: usd.repayments.interest, defaulted_principal: usd.defaults.principal });
    expect(row.default_collateral).toBe(`COL ${usd.defaults.collateral[0]!.amount}`);
  });

  test('periods split by calendar month and day in UTC', () => {
    const jan31 = Date.UTC(2025, 0, 31, 12) / 1000;
    const mar2 = Date.UTC(2025, 2, 2) / 1000;
    expect(periodsOf({ from: jan31, to: mar2, by: 'month' }).map((p) => p.label)).toEqual(['2025-01', '2025-02', '2025-03']);
    const days = periodsOf({ from: jan31, to: mar2, by: 'day' });
    expect(days).toHaveLength(30);
    expect(days[1]).toEqual({ from: Date.UTC(2025, 1, 1) / 1000, to: Date.UTC(2025, 1, 2) / 1000, label: '2025-02-01' });
    expect(() => periodsOf({ from: 0, to: 2_000 * 86_400, by: 'day' })).toThrow(/more than 1000 periods/);
  });
});

describe('a loan shared by two lenders', () => {
  const [a, b, c] = auditActors(3).map((key) => key.account) as [string, string, string];
  const progress = { paidInstallments: 0, paidInterest: 0n, paidPrincipal: 0n, lateFeeOwed: 0n, lateInstallments: 0, totalPaid: { lateFees: 0n, interest: 0n, principal: 0n }, status: 'active' as const };
  const loan: Loan = {
    id: 1, borrower: c, asset: 'USD', term: 200, schedule: 'amortizing', installments: 2, principal: 3_000n, aprBps: 1_000, startTime: 100, orderId: 1,
    collateral: { asset: 'COL', amount: 900n }, shares: [{ lender: a, principal: 2_000n }, { lender: b, principal: 1_000n }],
    plan: [{ due: 200, principal: 1_500n, interest: 31n }, { due: 300, principal: 1_500n, interest: 31n }],
    paidInstallments: 0, paidInterest: 0n, paidPrincipal: 0n, lateFeeOwed: 0n, lateChecks: 0, lateInstallments: 0, totalPaid: { lateFees: 0n, interest: 0n, principal: 0n }, status: 'active',
  };
  const events: LedgerLoanEvent[] = [
    { height: 1, seq: 3, time: 100, event: { type: 'loanOriginated', loan } },
    { height: 2, seq: 0, time: 240, event: { type: 'installmentLate', loanId: 1, installment: 0, fee: 77n, progress } },
    {
      height: 3, seq: 1, time: 250,
      event: { type: 'repayment', loanId: 1, payer: c, prepay: false, lateFees: 77n, interest: 31n, principal: 1_000n, interestWaived: 5n, progress,
        lenders: [{ lender: a, lateFees: 51n, interest: 21n, principal: 667n }, { lender: b, lateFees: 26n, interest: 10n, principal: 333n }] },
    },
    { height: 4, seq: 0, time: 400, event: { type: 'loanDefaulted', loanId: 1, collateral: [{ lender: a, amount: 600n }, { lender: b, amount: 300n }], progress: { ...progress, totalPaid: { lateFees: 77n, interest: 31n, principal: 1_000n } } } },
  ];

  test('each lender’s figures are its parts, and the parts add up to the loan’s', () => {
    const lenderRow = (account: string) => accountReport(events, account).rows.find((row) => row.role === 'lender')!;
    const [ra, rb] = [lenderRow(a), lenderRow(b)];
    expect(ra.repayments).toEqual({ count: 1, principal: 667n, interest: 21n, lateFees: 51n, interestWaived: 3n });
    expect(rb.repayments).toEqual({ count: 1, principal: 333n, interest: 10n, lateFees: 26n, interestWaived: 2n });
    expect([ra.late.fees, rb.late.fees]).toEqual([51n, 26n]);
    expect(ra.defaults).toEqual({ count: 1, principal: 1_333n, collateral: [{ asset: 'COL', amount: 600n }] });
    expect(rb.defaults).toEqual({ count: 1, principal: 667n, collateral: [{ asset: 'COL', amount: 300n }] });
    const whole = periodReport(events, { from: 0, to: 500 }, new Map()).periods[0]!.assets[0]!;
    expect(whole.defaults.principal).toBe(ra.defaults.principal + rb.defaults.principal);
    expect(whole.repayments.interestWaived).toBe(ra.repayments.interestWaived + rb.repayments.interestWaived);
    expect([ra.outstanding, rb.outstanding, whole.outstanding]).toEqual([0n, 0n, 0n]);
    const borrower = accountReport(events, c).rows;
    expect(borrower.map((row) => row.role)).toEqual(['borrower']);
    expect(borrower[0]!.defaults.collateral).toEqual([{ asset: 'COL', amount: 900n }]);
    // Before the default, 2,000 of principal was outstanding.
    expect(outstandingAt(events, 400).get('USD')).toBe(2_000n);
  });
});

describe.each(kinds)('the API’s report from the index (%s)', (kind) => {
  test('equals the command’s report from the verified chain', async () => {
    const db = await openTestDatabase(kind);
    const store = await openStore(home.dataDir);
    const node = await LedgerNode.open({
      genesis,
      checkSignatures: verifyInThisThread,
      config: DEFAULT_CONFIG,
      store,
      validatorKey: AUDIT_VALIDATORS[0]!,
      onFatal: () => undefined,
    });
    try {
      const projector = await Projector.open({ db, node });
      await projector.catchUp();
      const api = createCaller(createApiContext({ node, db, projector, adminToken: '' })).audit;
      const cut = Math.floor((firstTime + lastTime) / 2);
      const account = auditActors(ACTORS)[1]!.account;
      const loanId = loans.find((l) => l.status === 'defaulted')!.id;
      await store.close();
      expect(await api.report({ kind: 'period', from: 0, to: lastTime + 1 })).toEqual(await json({ kind: 'period', from: 0, to: lastTime + 1, format: 'json' }));
      expect(await api.report({ kind: 'period', from: cut, to: lastTime + 1, by: 'day' })).toEqual(await json({ kind: 'period', from: cut, to: lastTime + 1, by: 'day', format: 'json' }));
      expect(await api.report({ kind: 'period', from: firstTime + 15, to: cut })).toEqual(await json({ kind: 'period', from: firstTime + 15, to: cut, format: 'json' }));
      expect(await api.report({ kind: 'account', account })).toEqual(await json({ kind: 'account', account, format: 'json' }));
      expect(await api.report({ kind: 'loan', id: loanId })).toEqual(await json({ kind: 'loan', loanId, format: 'json' }));
      await expect(api.report({ kind: 'loan', id: 99_999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(api.report({ kind: 'period', from: 10, to: 10 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(api.report({ kind: 'period', from: 0, to: 2_000 * 86_400, by: 'day' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    } finally {
      await db.close();
    }
  }, 120_000);
});

describe('refusals', () => {
  test('no report from a chain that fails verification, nor while the node runs', async () => {
    const level = new ClassicLevel<Uint8Array, Uint8Array>(home.dataDir, { keyEncoding: 'view', valueEncoding: 'view' });
    await level.open();
    try {
      const stored = Buffer.from((await level.get(blockKey(4)))!).toString('utf8');
      const at = stored.indexOf('"stateRoot":"') + '"stateRoot":"'.length;
      await level.put(blockKey(4), utf8(`${stored.slice(0, at)}${stored[at] === 'a' ? 'b' : 'a'}${stored.slice(at + 1)}`));
    } finally {
      await level.close();
    }
    expect(await report({ kind: 'period', format: 'csv' })).toEqual({
      code: 1,
      text: '',
      err: ['lendnet: the chain does not verify, so no report: block 4: its state root does not match the state it leads to; the 3 blocks before it check'],
    });
    await writeFile(statusPath(dir), JSON.stringify({ pid: process.pid, chainId: 'lendnet-devnet', height: 0, time: 0, hash: '', stateRoot: '', mempoolSize: 0, updatedAt: 0 }));
    expect(await report({ kind: 'period', format: 'csv' })).toEqual({ code: 1, text: '', err: [`lendnet: the node of ${dir} is running (pid ${process.pid}); stop it before reporting from its chain`] });
  });
});
