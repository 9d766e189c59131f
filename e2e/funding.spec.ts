import { expect, type Page, test } from '@playwright/test';
import { createWallet, faucet, goTo, hundredths, newPerson, openFromBook, signAndWait, snapshot } from './kit';

/**
 * A borrow request funded by two lenders: the borrower asks for 300 USD with collateral, all or
 * nothing; one lender funds 200, another 100, which makes the loan. Each lender's portfolio shows
 * its share, and after a repayment each receives in proportion to what it lent.
 */

// A rate no other test posts, so the request's row is unmistakable.
const RATE = '9.13';

async function fund(page: Page, amount: string): Promise<void> {
  await openFromBook(page, 'borrow', RATE);
  await page.getByLabel('Amount to lend (USD)').fill(amount);
  await expect(page.getByTestId('fund-earnings')).toContainText('USD of interest');
  await page.getByRole('button', { name: 'Review funding' }).click();
  await expect(page.getByTestId('tx-description')).toContainText(`Lend ${amount}.00 USD (`);
  await signAndWait(page);
}

/** The lender's row of positions in USD, its "Principal lent" and "Received" cells. */
function position(page: Page) {
  const row = page.getByRole('table', { name: 'Your positions as lender' }).getByRole('row', { name: /USD/ });
  return { lent: row.getByRole('cell').nth(0), received: row.getByRole('cell').nth(1) };
}

test('a request funded by two lenders gives each its pro-rata share of the loan and of each repayment', async ({ page: borrower, browser }, testInfo) => {
  test.setTimeout(180_000);

  // The borrower asks for 300 USD over 3 months in 3 installments, locking 90 COL as collateral.
  await createWallet(borrower, 'Bruno');
  await faucet(borrower, 'collateral');
  await faucet(borrower, 'dollars');
  await goTo(borrower, 'Market');
  await borrower.getByRole('link', { name: 'Post a borrow request' }).click();
  await borrower.getByLabel('Amount to borrow (USD)').fill('300');
  await borrower.getByLabel('Highest APR you accept (%)').fill(RATE);
  await borrower.getByLabel('Term', { exact: true }).fill('3');
  await borrower.getByLabel('Term in').selectOption('months');
  await borrower.getByLabel('Installments', { exact: true }).fill('3');
  await borrower.getByLabel('Lock collateral now').check();
  await borrower.getByLabel('Collateral amount (COL)').fill('90');
  await borrower.getByRole('button', { name: 'Review request' }).click();
  await signAndWait(borrower);

  // Two lenders, each in a browser of its own: 200 USD, then the last 100, which makes the loan.
  const first = await newPerson(browser, 'Lena');
  await faucet(first.page, 'dollars');
  await fund(first.page, '200');
  await expect(first.page.getByRole('table', { name: 'Request terms' }).getByRole('row', { name: /Still unfunded/ })).toContainText('100.00 USD');
  const second = await newPerson(browser, 'Leo');
  await faucet(second.page, 'dollars');
  await fund(second.page, '100');
  await snapshot(second.page, testInfo, 'funding-request-page', 'the request page after the second funding');

  // The borrower has the loan; each lender sees its own share.
  await goTo(borrower, 'Portfolio');
  const loan = borrower.getByRole('article', { name: /^Loan #\d+$/ });
  await expect(loan).toContainText('300.00 USD at 9.13 % APR');
  await goTo(first.page, 'Portfolio');
  await goTo(second.page, 'Portfolio');
  await expect(position(first.page).lent).toHaveText('200.00 USD');
  await expect(position(second.page).lent).toHaveText('100.00 USD');

  // A repayment is split two to one.
  await loan.getByRole('button', { name: /^Repay next installment/ }).click();
  await signAndWait(borrower);
  await expect(position(first.page).received).not.toHaveText('0.00 USD', { timeout: 15_000 });
  await expect(position(second.page).received).not.toHaveText('0.00 USD', { timeout: 15_000 });
  const firstGot = hundredths(await position(first.page).received.innerText());
  const secondGot = hundredths(await position(second.page).received.innerText());
  expect(firstGot + secondGot).toBeGreaterThan(0);
  // Each share is rounded down to a minor unit, so the split is exact to within a cent.
  expect(Math.abs(firstGot - 2 * secondGot)).toBeLessThanOrEqual(2);
  await snapshot(first.page, testInfo, 'funding-first-lender', "the first lender's portfolio");
  await snapshot(second.page, testInfo, 'funding-second-lender', "the second lender's portfolio");

  // The loan page shows both lenders with their shares, verified.
  await first.page.getByRole('table', { name: 'Loans you hold a share of' }).getByRole('link', { name: /^#\d+$/ }).click();
  const lenders = first.page.getByTestId('loan-lenders');
  await expect(lenders.getByRole('row')).toHaveCount(3);
  await expect(lenders.getByRole('row').filter({ hasText: '200.00 USD' })).toContainText('66.66 %');
  await expect(lenders.getByRole('row').filter({ hasText: '100.00 USD' })).toContainText('33.33 %');
  await expect(first.page.getByTestId('events-verified')).toHaveText(/^✓ All \d+ events verified\.$/, { timeout: 20_000 });
  await snapshot(first.page, testInfo, 'funding-loan-page', 'the loan page with two lenders');

  // The audit page: this month's figures for the market, and the first lender's own.
  await goTo(first.page, 'Audit');
  const month = first.page.getByRole('table', { name: 'Loans per period and asset' });
  await expect(month.getByRole('row').filter({ hasText: 'USD' }).first()).toBeVisible();
  const account = await first.page.getByTestId('wallet-status').getByRole('link').first().getAttribute('title');
  await first.page.getByLabel('Account', { exact: true }).fill(account ?? '');
  await first.page.getByRole('region', { name: /^One account/ }).getByRole('button', { name: 'Show report' }).click();
  const own = first.page.getByRole('table', { name: "The account's loans per role and asset" });
  await expect(own.getByRole('row', { name: /As lender/ })).toContainText('1 · 200.00 USD');
  await snapshot(first.page, testInfo, 'funding-audit-page', "the audit page with the first lender's figures");
  await first.context.close();
  await second.context.close();
});
