import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createWallet, faucet, goTo, newPerson, openFromBook, postLendOffer, signAndWait, snapshot } from './kit';

/**
 * A loan from offer to its last repayment, with two people in two browsers: a lender posts an
 * offer that asks for collateral; a borrower opens it from the book, reads the schedule and the
 * total interest before signing, takes it; both find the loan in their portfolio; the borrower
 * repays every installment; both portfolios show it repaid, and the loan page shows every event
 * verified in the browser.
 */

// A rate no other test posts, so the offer's row is unmistakable.
const RATE = '8.17';

test('a borrower takes a lend offer with collateral, repays every installment, and the loan page verifies every event', async ({ page: lender, browser }, testInfo) => {
  test.setTimeout(180_000);

  // The lender: dollars from the faucet, then an offer of 250 USD, at most 100 to one borrower, 150 % collateral.
  await createWallet(lender, 'Lars');
  await faucet(lender, 'dollars');
  await postLendOffer(lender, { amount: '250', rate: RATE, term: '3', unit: 'months', installments: '3', largest: '100', collateralPercent: '150' });

  // The borrower, in a browser of its own: collateral and a few dollars for the interest, then the offer from the book.
  const { context: borrowerContext, page: borrower } = await newPerson(browser, 'Bea');
  await faucet(borrower, 'collateral');
  await faucet(borrower, 'dollars');
  await openFromBook(borrower, 'lend', RATE);
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
  const schedule = loan.getByRole('table', { name: /^Schedule of loan #\d+$/ });
  await expect(schedule.getByRole('row')).toHaveCount(4);
  await expect(borrower.getByTestId('next-payment')).toContainText('USD');
  await snapshot(borrower, testInfo, 'loan-borrower-portfolio', "the borrower's portfolio");

  await goTo(lender, 'Portfolio');
  const position = lender.getByRole('table', { name: 'Your positions as lender' }).getByRole('row', { name: /USD/ });
  await expect(position).toContainText('50.00 USD');
  const received = position.getByRole('cell').nth(1);
  await expect(received).toHaveText('0.00 USD');

  // The borrower repays the first installment; the schedule marks it paid and the lender receives it, live.
  await loan.getByRole('button', { name: /^Repay next installment/ }).click();
  await expect(borrower.getByTestId('tx-description')).toContainText(/Pay \d+\.\d+ USD \(.*\) into loan #\d+/);
  await borrower.getByRole('button', { name: 'Sign and send' }).click();
  await expect(schedule.getByRole('row').nth(1)).toContainText('Paid', { timeout: 20_000 });
  await expect(received).not.toHaveText('0.00 USD', { timeout: 15_000 });

  // Then the two installments left, one after the other.
  for (const installment of [2, 3]) {
    await loan.getByRole('button', { name: /^Repay next installment/ }).click();
    await borrower.getByRole('button', { name: 'Sign and send' }).click();
    await expect(schedule.getByRole('row').nth(installment)).toContainText('Paid', { timeout: 20_000 });
  }
  await expect(loan).toContainText('Repaid');
  await expect(loan).toContainText('Repaid in full; the collateral is back with you.');
  await expect(loan.getByRole('button', { name: /^Repay next installment/ })).toHaveCount(0);
  await snapshot(borrower, testInfo, 'loan-borrower-repaid', "the borrower's portfolio, the loan repaid");

  // The lender's side: the loan repaid, the principal back and interest on top.
  const shares = lender.getByRole('table', { name: 'Loans you hold a share of' });
  await expect(shares).toContainText('Repaid');
  await expect(position.getByRole('cell').nth(5)).toHaveText('0.00 USD'); // outstanding
  await expect(position.getByRole('cell').nth(2)).toHaveText('50.00 USD'); // principal back
  await snapshot(lender, testInfo, 'loan-lender-repaid', "the lender's portfolio, the loan repaid");

  // The loan page: repaid, every event and the loan's record verified in the browser.
  await shares.getByRole('link', { name: /^#\d+$/ }).click();
  await expect(lender.getByRole('heading', { name: /^Loan #\d+/, level: 1 })).toBeVisible();
  await expect(lender.getByTestId('loan-status')).toHaveText('Repaid');
  const events = lender.getByTestId('loan-event');
  await expect(events.filter({ hasText: 'made' })).toHaveCount(1);
  await expect(events.filter({ hasText: /paid loan #\d+/ })).toHaveCount(3);
  await expect(events.filter({ hasText: /is repaid in full/ })).toHaveCount(1);
  await expect(lender.getByTestId('events-verified')).toHaveText(/^✓ All \d+ events verified\.$/, { timeout: 20_000 });
  await expect(lender.getByTestId('state-verified')).toContainText("The loan's record in the chain's state at block");
  await expect(lender.getByTestId('loan-lenders')).toContainText('100.00 %');
  // A mark opens to the checks behind it.
  await events.first().getByText('✓ Verified').click();
  for (const check of ['Signed by its signer', 'In its block', 'Commit signed by more than 2/3 of the validators']) {
    await expect(events.first().getByText(`✓ ${check}`)).toBeVisible();
  }
  await snapshot(lender, testInfo, 'loan-page-verified', 'the loan page, every event verified');

  // The loan's file: downloaded, then checked in the browser; an altered copy is caught.
  const [download] = await Promise.all([lender.waitForEvent('download'), lender.getByRole('button', { name: 'Download the loan file' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^lendnet-loan-\d+\.json$/);
  const text = readFileSync(await download.path(), 'utf8');
  const picker = lender.getByLabel('Verify a loan file');
  await picker.setInputFiles({ name: 'loan.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect(lender.getByTestId('loan-file-verdict')).toContainText(/^✓ “loan\.json” verifies: loan #\d+ on chain lendnet-devnet, 4 transactions signed and in their blocks/);
  const altered = text.replace('"aprBps": "817"', '"aprBps": "900"');
  expect(altered).not.toBe(text);
  await picker.setInputFiles({ name: 'altered.json', mimeType: 'application/json', buffer: Buffer.from(altered) });
  await expect(lender.getByTestId('loan-file-verdict')).toContainText('✗ “altered.json” does not verify');
  await snapshot(lender, testInfo, 'loan-file-checked', 'an altered loan file, caught in the browser');
  await borrowerContext.close();
});
