import { expect, test } from '@playwright/test';
import { createWallet, faucet, goTo, newPerson, openFromBook, postLendOffer, signAndWait, snapshot } from './kit';
import { E2E_DEFAULT_PERIOD, E2E_GRACE_PERIOD } from './timing';

/**
 * A loan on a one-minute term that the borrower never pays: it goes late once the grace period
 * after its due time passes, then defaults; the lender receives the collateral, the borrower's
 * credit record shows the default, and the loan page verifies the late and default events, which
 * no transaction carries, by their blocks' commits.
 */

// A rate no other test posts, so the offer's row is unmistakable.
const RATE = '10.31';
const TERM_SECONDS = 60;

test('a one-minute loan goes late, then defaults; the lender receives the collateral and the credit record shows it', async ({ page: lender, browser }, testInfo) => {
  test.setTimeout(TERM_SECONDS * 1000 + (E2E_DEFAULT_PERIOD + 120) * 1000);

  await createWallet(lender, 'Lotte');
  await faucet(lender, 'dollars');
  await postLendOffer(lender, { amount: '100', rate: RATE, term: '1', unit: 'minutes', installments: '1', largest: '100', collateralPercent: '50' });

  const { context, page: borrower } = await newPerson(browser, 'Bram');
  await faucet(borrower, 'collateral');
  await openFromBook(borrower, 'lend', RATE);
  await borrower.getByLabel('Amount to borrow (USD)').fill('100');
  await expect(borrower.getByText('Collateral locked until the loan is repaid: 50.00 COL')).toBeVisible();
  await borrower.getByRole('button', { name: 'Review loan' }).click();
  await signAndWait(borrower);

  // The borrower does not pay. A minute later, and the grace period after it, the installment is late.
  await goTo(borrower, 'Portfolio');
  const loan = borrower.getByRole('article', { name: /^Loan #\d+$/ });
  await expect(loan).toContainText('Active');
  const schedule = loan.getByRole('table', { name: /^Schedule of loan #\d+$/ });
  await expect(schedule.getByRole('row').nth(1)).toContainText('Late', { timeout: (TERM_SECONDS + E2E_GRACE_PERIOD + 30) * 1000 });
  await expect(loan).toContainText('Late fees owed');
  await snapshot(borrower, testInfo, 'default-late', "the borrower's portfolio with the installment late");

  // Then the default period passes: the loan is in default and its collateral goes to the lender.
  await expect(loan).toContainText('Defaulted', { timeout: (E2E_DEFAULT_PERIOD + 30) * 1000 });
  await expect(loan).toContainText('This loan defaulted: its collateral went to the lenders.');
  await snapshot(borrower, testInfo, 'default-borrower', "the borrower's portfolio after the default");

  await goTo(lender, 'Portfolio');
  await expect(lender.getByText('Collateral received from defaults: 50.00 COL.')).toBeVisible();
  const position = lender.getByRole('table', { name: 'Your positions as lender' }).getByRole('row', { name: /USD/ });
  await expect(position).toContainText('1 loan, 100.00 USD of principal lost');
  const shares = lender.getByRole('table', { name: 'Loans you hold a share of' });
  await expect(shares).toContainText('Defaulted');
  await snapshot(lender, testInfo, 'default-lender', "the lender's portfolio after the default");

  // The loan page: the late and default events, verified by their blocks' commits.
  await shares.getByRole('link', { name: /^#\d+$/ }).click();
  await expect(lender.getByTestId('loan-status')).toHaveText('Defaulted');
  const events = lender.getByTestId('loan-event');
  await expect(events.filter({ hasText: /is late/ })).toHaveCount(1);
  await expect(events.filter({ hasText: /defaulted/ })).toHaveCount(1);
  await expect(lender.getByTestId('events-verified')).toHaveText(/^✓ All \d+ events verified\.$/, { timeout: 20_000 });
  await expect(lender.getByTestId('loan-lenders')).toContainText('50.00 COL');
  await snapshot(lender, testInfo, 'default-loan-page', 'the loan page of a defaulted loan');

  // The borrower's credit record, in the explorer, shows the default.
  await lender.getByRole('table', { name: 'Loan terms' }).getByRole('row', { name: /Borrower/ }).getByRole('link').click();
  const credit = lender.getByRole('table', { name: 'Credit record' });
  await expect(credit.getByRole('row', { name: /Defaults/ })).toContainText('1');
  await expect(credit.getByRole('row', { name: /Loans taken/ })).toContainText('1');
  await snapshot(lender, testInfo, 'default-credit-record', "the borrower's credit record");
  await context.close();
});
