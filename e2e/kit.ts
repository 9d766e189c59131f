import { expect, type Page, type TestInfo } from '@playwright/test';

/** What the e2e tests share: a new wallet, a transaction signed and followed to its block, screenshots. */

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

/** Signs the transaction under review and waits until its block commits. */
export async function signAndWait(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign and send' }).click();
  await expect(page.getByTestId('tx-status')).toContainText(/Committed in block \d+/, { timeout: 20_000 });
}

/** Saves a full-page screenshot as `name`.png in the test's results and attaches it to the report. */
export async function snapshot(page: Page, testInfo: TestInfo, name: string, title: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(title, { path, contentType: 'image/png' });
}
