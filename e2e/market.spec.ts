import { expect, test } from '@playwright/test';
import { createWallet, signAndWait, snapshot } from './kit';

/**
 * The marketplace, as a lender meets it: a new wallet takes test dollars, posts a lend offer
 * from the offer form (checked and previewed before signing, signed in the page, followed to its
 * block), finds it in the book at its rate, sees the rate and depth charts drawn from it, and
 * hides it with a filter that the URL keeps.
 */

// A rate no other test posts, so the offer's row is unmistakable.
const RATE = '7.31';

test('a lender posts an offer, finds it in the book and the charts, and filters it out', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await createWallet(page, 'Lorna');
  await page.getByRole('button', { name: /Get 1,000 test dollars/ }).click();
  await signAndWait(page);

  // The header's link keeps the page, so the wallet stays unlocked (it lives only in memory).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Market' }).click();
  await expect(page.getByRole('heading', { name: 'Market', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Post a lend offer' }).click();
  await expect(page.getByRole('heading', { name: 'Post a lend offer' })).toBeVisible();

  // Mistakes are named in plain words before anything is signed.
  await page.getByLabel('Amount to lend (USD)').fill('5000');
  await page.getByLabel('APR (%)').fill('seven');
  await page.getByRole('button', { name: 'Review offer' }).click();
  await expect(page.getByText(/The offer needs 5,000\.00 USD but you hold 1,000\.00 USD/)).toBeVisible();
  await expect(page.getByText(/Enter an APR as a percentage/)).toBeVisible();
  await expect(page.getByTestId('tx-panel')).toBeHidden();

  await page.getByLabel('Amount to lend (USD)').fill('250');
  await page.getByLabel('APR (%)').fill(RATE);
  await page.getByLabel('Term', { exact: true }).fill('3');
  await page.getByLabel('Term in').selectOption('months');
  await page.getByLabel('Installments', { exact: true }).fill('3');
  await page.getByLabel('Largest loan (USD)').fill('100');
  const preview = page.getByTestId('plan-preview');
  await expect(preview).toContainText(`100.00 USD at ${RATE} % APR for 3 months`);
  await expect(preview).toContainText('Total interest');
  await snapshot(page, testInfo, 'market-offer-form', 'the lend offer form');

  await page.getByRole('button', { name: 'Review offer' }).click();
  await expect(page.getByTestId('tx-description')).toContainText(`Offer to lend 250.00 USD (`);
  await expect(page.getByTestId('tx-description')).toContainText(`at ${RATE} % APR for 3 months`);
  await signAndWait(page);

  // The book shows it at its rate, with what remains, its terms and its owner's record.
  await page.getByRole('link', { name: 'See it in the market' }).click();
  await expect(page.getByRole('tab', { name: 'Lend offers' })).toHaveAttribute('aria-selected', 'true');
  const book = page.getByRole('table', { name: /^Open lend offers in USD/ });
  const row = book.getByRole('row').filter({ hasText: `${RATE} %` });
  await expect(row).toBeVisible();
  await expect(row).toContainText('250.00 USD');
  await expect(row).toContainText('3 months');
  await expect(row).toContainText('Amortizing, 3 installments');
  await expect(row).toContainText('No loans yet');
  await expect(row).toContainText('Up to 100.00 USD');
  await expect(row).toContainText('yours');

  // The charts are drawn, with their figures also as tables.
  await expect(page.getByRole('img', { name: /Chart of APR by term for USD/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /Depth chart for USD/ })).toBeVisible();
  await page.getByText('Rates by term as a table').click();
  await expect(page.getByRole('table', { name: 'APR by term bucket for USD' }).getByRole('cell', { name: `${RATE} %` }).first()).toBeVisible();
  await page.getByText('Market depth as a table').click();
  await expect(page.getByRole('table', { name: 'Depth by rate for USD' }).getByRole('row').filter({ hasText: `${RATE} %` })).toContainText('250.00 USD');
  await snapshot(page, testInfo, 'market-book', 'the market with the new offer');

  // A filter that excludes it hides it, and the URL keeps the filter for whoever opens the link.
  await page.getByLabel('APR to (%)').fill('5');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/rateMax=5/);
  await expect(row).toBeHidden();
  await expect(page.getByText('No open lend offers match these filters.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('APR to (%)')).toHaveValue('5');
  await expect(page.getByText('No open lend offers match these filters.')).toBeVisible();
  await expect(row).toBeHidden();

  // Clearing the filters brings it back; at phone width each order reads as a card.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(row).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(row).toContainText(`${RATE} %`);
  await snapshot(page, testInfo, 'market-phone', 'the market at phone width');
});

test('the borrow request form names its mistakes and previews the most a loan can cost', async ({ page }) => {
  await page.goto('/market/borrow');
  await expect(page.getByRole('heading', { name: 'Post a borrow request' })).toBeVisible();
  await expect(page.getByText('You need a wallet to post.')).toBeVisible();

  await page.getByLabel('Amount to borrow (USD)').fill('500');
  await page.getByLabel('Highest APR you accept (%)').fill('12');
  await page.getByLabel('Installments', { exact: true }).fill('7');
  await page.getByLabel('Lock collateral now').check();
  await page.getByLabel('Collateral amount (COL)').fill('0');
  await page.getByRole('button', { name: 'Review request' }).click();
  await expect(page.getByText('A term of 3 months does not split into 7 equal periods. Choose a number that divides it evenly.')).toBeVisible();
  await expect(page.getByText('The collateral must be more than zero.')).toBeVisible();

  await page.getByLabel('Installments', { exact: true }).fill('3');
  await page.getByLabel('Collateral amount (COL)').fill('750');
  await expect(page.getByTestId('plan-preview')).toContainText('500.00 USD at 12 % APR for 3 months');
  await page.getByRole('button', { name: 'Review request' }).click();
  // Without a wallet nothing can be signed, and the page says so.
  await expect(page.getByTestId('tx-status')).toContainText('Create or import an account first.');
});
