import { expect, type Page, test } from '@playwright/test';
import { createWallet, faucet, goTo, newPerson, openFromBook, postLendOffer, signAndWait, snapshot } from './kit';

/**
 * Two mistakes a borrower can make, each stopped with a plain error before anything is signed,
 * and nothing changed: taking an offer without enough collateral, and paying more than a loan owes.
 */

// A rate no other test posts, so the offer's row is unmistakable.
const RATE = '7.77';

/**
 * The wallet's balances table as text: what must not change. It is read once it shows `expected`
 * (the index may be a block behind the commit the wallet has just seen).
 */
async function balances(page: Page, expected: RegExp): Promise<string> {
  await goTo(page, 'Wallet');
  const table = page.getByTestId('balances');
  await expect(table).toContainText(expected, { useInnerText: true });
  return table.innerText();
}

test('taking an offer without enough collateral, and repaying more than is owed, are refused in plain words and change nothing', async ({ page: lender, browser }, testInfo) => {
  test.setTimeout(150_000);

  await createWallet(lender, 'Lia');
  await faucet(lender, 'dollars');
  await postLendOffer(lender, { amount: '300', rate: RATE, term: '2', unit: 'months', installments: '2', largest: '300', collateralPercent: '150' });

  // The borrower holds 100 COL; 100 USD at 150 % needs 150.
  const { context, page: borrower } = await newPerson(browser, 'Ben');
  await faucet(borrower, 'collateral');
  await faucet(borrower, 'dollars');
  const before = await balances(borrower, /USD[^\n]*1,000\.00/);
  await openFromBook(borrower, 'lend', RATE);
  await borrower.getByLabel('Amount to borrow (USD)').fill('100');
  await borrower.getByRole('button', { name: 'Review loan' }).click();
  await expect(borrower.getByText('This loan needs 150.00 COL of collateral but you hold 100.00 COL.')).toBeVisible();
  await expect(borrower.getByTestId('tx-panel')).toBeHidden();
  await expect(borrower.getByRole('table', { name: 'Offer terms' })).toContainText('300.00 USD');
  await snapshot(borrower, testInfo, 'error-collateral', 'taking an offer without enough collateral');
  expect(await balances(borrower, /USD[^\n]*1,000\.00/)).toBe(before);

  // A loan the borrower can afford, then a payment of more than it owes in all.
  await openFromBook(borrower, 'lend', RATE);
  await borrower.getByLabel('Amount to borrow (USD)').fill('50');
  await borrower.getByRole('button', { name: 'Review loan' }).click();
  await signAndWait(borrower);
  await goTo(borrower, 'Portfolio');
  const loan = borrower.getByRole('article', { name: /^Loan #\d+$/ });
  await expect(loan).toContainText('Active');
  const afterLoan = await balances(borrower, /USD[^\n]*1,050\.00/);
  await goTo(borrower, 'Portfolio');
  await loan.getByLabel('Pay another amount (USD)').fill('500');
  await loan.getByRole('button', { name: 'Review payment' }).click();
  await expect(loan.getByText(/^That is more than the loan owes: \d+\.\d+ USD is left to pay in all\.$/)).toBeVisible();
  await expect(loan.getByTestId('tx-panel')).toBeHidden();
  await expect(loan).toContainText('Paid so far: 0.00 USD');
  await snapshot(borrower, testInfo, 'error-overpayment', 'paying more than the loan owes');
  expect(await balances(borrower, /USD[^\n]*1,050\.00/)).toBe(afterLoan);

  // A payment of part of an installment goes through.
  await goTo(borrower, 'Portfolio');
  await loan.getByLabel('Pay another amount (USD)').fill('5');
  await loan.getByRole('button', { name: 'Review payment' }).click();
  await expect(borrower.getByTestId('tx-description')).toContainText('Pay 5.00 USD (');
  await signAndWait(borrower);
  await expect(loan).toContainText('Paid so far: 5.00 USD', { timeout: 15_000 });
  await context.close();
});
