import { type Browser, type BrowserContext, expect, type Page, type TestInfo } from '@playwright/test';

/** What the e2e tests share: wallets, faucet funds, orders, signing a transaction to its block, screenshots. */

export const PASSPHRASE = 'correct horse battery staple';

/** Creates a wallet with a new key named `name` on /wallet, and waits until it is unlocked. */
export async function createWallet(page: Page, name: string): Promise<void> {
  await page.goto('/wallet');
  await expect(page.getByRole('heading', { name: 'Set up your wallet' })).toBeVisible();
  await page.getByLabel('Create a new key').check();
  await page.getByLabel('Account name').fill(name);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Passphrase again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create wallet' }).click();
  await expect(page.getByText(`Unlocked: ${name} signs.`)).toBeVisible();
}

/** A person in a browser of their own, with a new wallet; close the context at the end. */
export async function newPerson(browser: Browser, name: string): Promise<{ readonly context: BrowserContext; readonly page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await createWallet(page, name);
  return { context, page };
}

/** Takes test funds on /wallet: "Get 1,000 test dollars" or "Get collateral". */
export async function faucet(page: Page, which: 'dollars' | 'collateral'): Promise<void> {
  await page.getByRole('button', { name: which === 'dollars' ? /Get 1,000 test dollars/ : /Get collateral/ }).click();
  await signAndWait(page);
}

/** Signs the transaction under review and waits until its block commits. */
export async function signAndWait(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign and send' }).click();
  await expect(page.getByTestId('tx-status')).toContainText(/Committed in block \d+/, { timeout: 20_000 });
}

/** Opens a section from the header. Its links keep the page, so the wallet stays unlocked (it lives only in memory). */
export async function goTo(page: Page, section: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section }).click();
  await expect(page.getByRole('heading', { name: section, level: 1 })).toBeVisible();
}

export interface OfferTerms {
  readonly amount: string;
  readonly rate: string;
  readonly term: string;
  readonly unit: 'minutes' | 'hours' | 'days' | 'months' | 'years';
  readonly installments: string;
  readonly largest: string;
  /** Collateral asked, % of the loan; none when absent. */
  readonly collateralPercent?: string;
}

/** Posts a lend offer from the market's form and waits until it is committed. */
export async function postLendOffer(page: Page, terms: OfferTerms): Promise<void> {
  await goTo(page, 'Market');
  await page.getByRole('link', { name: 'Post a lend offer' }).click();
  await page.getByLabel('Amount to lend (USD)').fill(terms.amount);
  await page.getByLabel('APR (%)').fill(terms.rate);
  await page.getByLabel('Term', { exact: true }).fill(terms.term);
  await page.getByLabel('Term in').selectOption(terms.unit);
  await page.getByLabel('Installments', { exact: true }).fill(terms.installments);
  await page.getByLabel('Largest loan (USD)').fill(terms.largest);
  if (terms.collateralPercent !== undefined) {
    await page.getByLabel('Ask borrowers to lock collateral').check();
    await page.getByLabel('Collateral, % of the loan').fill(terms.collateralPercent);
  }
  await page.getByRole('button', { name: 'Review offer' }).click();
  await signAndWait(page);
}

/** Opens the order at `rate` from the market's book on the given side, by its link. */
export async function openFromBook(page: Page, side: 'lend' | 'borrow', rate: string): Promise<void> {
  await goTo(page, 'Market');
  if (side === 'borrow') await page.getByRole('tab', { name: 'Borrow requests' }).click();
  const table = page.getByRole('table', { name: side === 'lend' ? /^Open lend offers in USD/ : /^Open borrow requests in USD/ });
  const row = table.getByRole('row').filter({ hasText: `${rate} %` });
  await row.getByRole('link', { name: side === 'lend' ? /^Borrow from order #\d+$/ : /^Fund order #\d+$/ }).click();
  await expect(page.getByRole('heading', { name: side === 'lend' ? /^Lend offer #\d+$/ : /^Borrow request #\d+$/ })).toBeVisible();
}

/** A figure in a table cell, "1,234.56 USD", as hundredths (an integer), to compare shares exactly. */
export function hundredths(text: string): number {
  const match = /(-?[\d,]+)\.(\d{2})/.exec(text);
  if (!match) throw new Error(`no amount in "${text}"`);
  return Number(match[1]!.replaceAll(',', '')) * 100 + Number(match[2]);
}

/** Saves a full-page screenshot as `name`.png in the test's results and attaches it to the report. */
export async function snapshot(page: Page, testInfo: TestInfo, name: string, title: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(title, { path, contentType: 'image/png' });
}
