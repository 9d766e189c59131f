import { expect, type Request, test } from '@playwright/test';
import { createWallet, PASSPHRASE, signAndWait, snapshot } from './kit';

/**
 * The browser wallet, as a new user meets it: a key created and sealed under a passphrase,
 * test dollars from the devnet faucet signed in the page and followed until their block, lock
 * and unlock, and the secret key shown only after the passphrase is typed again. The secret
 * never leaves the browser: no request the page makes carries it.
 */


test('a new wallet takes test dollars from the faucet, locks, unlocks and never sends its secret', async ({ page }, testInfo) => {
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));

  await createWallet(page, 'Lena');
  const account = (await page.getByTestId('selected-account').innerText()).trim();
  expect(account).toMatch(/^[0-9a-f]{64}$/);

  // The faucet: described in plain words before signing, then pending, then committed in a block.
  await page.getByRole('button', { name: /Get 1,000 test dollars/ }).click();
  await expect(page.getByTestId('tx-description')).toContainText('1,000.00 USD');
  await signAndWait(page);
  await expect(page.getByTestId('balance-USD')).toContainText('1,000.00');
  await snapshot(page, testInfo, 'wallet-funded', 'wallet after the faucet');

  // Locked, it cannot sign; a wrong passphrase is refused in plain words; the right one unlocks.
  await page.getByRole('button', { name: 'Lock now' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock your wallet' })).toBeVisible();
  await page.getByLabel('Passphrase', { exact: true }).fill('not the passphrase at all');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'That passphrase is not the one this wallet was locked with.' })).toBeVisible();
  await expect(page.getByText('Unlocked: Lena signs.')).toBeHidden();
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByText('Unlocked: Lena signs.')).toBeVisible();

  // The secret key, shown only after the passphrase is typed again.
  await page.getByRole('button', { name: 'Export secret key' }).click();
  await page.getByLabel('Passphrase, to show the secret key').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Show secret key' }).click();
  const secret = await page.getByLabel('Secret key of Lena').inputValue();
  expect(secret).toMatch(/^[0-9a-f]{64}$/);
  expect(secret).not.toBe(account);

  // Nothing the page sent carries the secret: not a URL, not a body.
  expect(requests.length).toBeGreaterThan(0);
  for (const request of requests) {
    expect(request.url()).not.toContain(secret);
    expect(request.postData() ?? '').not.toContain(secret);
  }
  // Nor does the browser's storage hold it in clear.
  const stored = await page.evaluate(() => JSON.stringify({ ...window.localStorage }));
  expect(stored).not.toContain(secret);
});
