import { expect, type Page, test } from '@playwright/test';
import { createWallet, signAndWait, snapshot } from './kit';

/**
 * A loan from offer to repayment, with two people in two browsers: a lender posts an offer that
 * asks for collateral; a borrower opens it from the book, reads the schedule and the total
 * interest before signing, takes it; both find the loan in their portfolio; the borrower repays
 * one installment and the lender sees what it received grow.
 */

// A rate no other test posts, so the offer's row is unmistakable.
const RATE = '8.17';

async function goTo(page: Page, section: string): Promise<void> {
  // The header's links keep the page, so the wallet stays unlocked (it lives only in memory).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section }).click();
  await expect(page.getByRole('heading', { name: section, level: 1 })).toBeVisible();
}


test('a borrower takes a lend offer with collateral, both see the loan, and a repayment reaches the lender', async ({ page: lender, browser }, testInfo) => {
  test.setTimeout(180_000);

  // The lender: dollars from the faucet, then an offer of 250 USD, at most 100 to one borrower, 150 % collateral.
  await createWallet(lender, 'Lars');
  await lender.getByRole('button', { name: /Get 1,000 test dollars/ }).click();
  await signAndWait(lender);
  await goTo(lender, 'Market');
  await lender.getByRole('link', { name: 'Post a lend offer' }).click();
  await lender.getByLabel('Amount to lend (USD)').fill('250');
  await lender.getByLabel('APR (%)').fill(RATE);
  await lender.getByLabel('Term', { exact: true }).fill('3');
  await lender.getByLabel('Term in').selectOption('months');
  await lender.getByLabel('Installments', { exact: true }).fill('3');
  await lender.getByLabel('Largest loan (USD)').fill('100');
  await lender.getByLabel('Ask borrowers to lock collateral').check();
  await lender.getByLabel('Collateral, % of the loan').fill('150');
  await lender.getByRole('button', { name: 'Review offer' }).click();
  await signAndWait(lender);

  // The borrower, in a browser of its own: collateral from the faucet, then the offer from the book.
  const borrowerContext = await browser.newContext();
  const borrower = await borrowerContext.newPage();
  await createWallet(borrower, 'Bea');
  await borrower.getByRole('button', { name: /Get collateral/ }).click();
  await signAndWait(borrower);
  await goTo(borrower, 'Market');
  const row = borrower.getByRole('table', { name: /^Open lend offers in USD/ }).getByRole('row').filter({ hasText: `${RATE} %` });
  await row.getByRole('link', { name: /^Borrow from order #\d+$/ }).click();
  await expect(borrower.getByRole('heading', { name: /^Lend offer #\d+$/ })).toBeVisible();
  await expect(borrower.getByRole('table', { name: 'Offer terms' })).toContainText('250.00 USD');

  // 50 USD at 150 % needs 75 COL; the schedule and its cost are shown before signing.
  await borrower.getByLabel('Amount to borrow (USD)').fill('50');
  await expect(borrower.getByText('Collateral locked until the loan is repaid: 75.00 COL')).toBeVisible();
  const plan = borrower.getByRole('table', { name: 'Repayment schedule' });
  await expect(plan.getByRole('row')).toHaveCount(4);
  const cost = borrower.getByRole('table', { name: 'Cost of the loan' });
  await expect(cost.getByRole('row', { name: /Total interest/ })).toContainText(/\d+\.\d+ USD/);
  await expect(cost.getByRole('row', { name: /APR/ })).toContainText(`${RATE} %`);
  await snapshot(borrower, testInfo, 'loan-offer-page', 'the offer page with the schedule');
  await borrower.getByRole('button', { name: 'Review loan' }).click();
  await expect(borrower.getByTestId('tx-description')).toContainText('Borrow 50.00 USD (');
  await expect(borrower.getByTestId('tx-description')).toContainText('locking 75.00 COL');
  await signAndWait(borrower);

  // Both find the loan in their portfolio.
  await goTo(borrower, 'Portfolio');
  const loan = borrower.getByRole('article', { name: /^Loan #\d+$/ });
  await expect(loan).toContainText('Active');
  await expect(loan.getByRole('table', { name: /^Schedule of loan #\d+$/ }).getByRole('row')).toHaveCount(4);
  await expect(borrower.getByTestId('next-payment')).toContainText('USD');
  await snapshot(borrower, testInfo, 'loan-borrower-portfolio', "the borrower's portfolio");

  await goTo(lender, 'Portfolio');
  const position = lender.getByRole('table', { name: 'Your positions as lender' }).getByRole('row', { name: /USD/ });
  await expect(position).toContainText('50.00 USD');
  const received = position.getByRole('cell').nth(1);
  await expect(received).toHaveText('0.00 USD');

  // The borrower repays the first installment; the schedule marks it paid and the lender receives it.
  await loan.getByRole('button', { name: /^Repay next installment/ }).click();
  await expect(borrower.getByTestId('tx-description')).toContainText(/Pay \d+\.\d+ USD \(.*\) into loan #\d+/);
  await signAndWait(borrower);
  await expect(loan.getByRole('table', { name: /^Schedule of loan #\d+$/ }).getByRole('row').nth(1)).toContainText('Paid');
  await expect(received).not.toHaveText('0.00 USD', { timeout: 15_000 });
  await expect(lender.getByRole('table', { name: 'Loans you hold a share of' })).toContainText('Active');
  await snapshot(lender, testInfo, 'loan-lender-portfolio', "the lender's portfolio");
  await borrowerContext.close();
});
