import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Request, test } from '@playwright/test';
import { createWallet, faucet, PASSPHRASE, signAndWait } from './kit';

/**
 * What a browser sees of the node's security: every page comes with a Content-Security-Policy
 * the app runs under without a single violation; the wallet's secret key never leaves the
 * browser: no request the browser makes carries it (URL, headers or body, as hex or base64) while
 * a wallet is made, signs, submits and the main pages are visited; and no page or script the node
 * serves carries the node's own secrets (its admin token, its validator and faucet keys).
 */

const PAGES = ['/', '/market', '/market/lend', '/market/borrow', '/wallet', '/portfolio', '/explorer', '/audit', '/node'] as const;

/** Every written form of a hex secret: as typed, upper case, base64 and base64url of its bytes. */
function forms(hex: string): string[] {
  const bytes = Buffer.from(hex, 'hex');
  return [hex, hex.toUpperCase(), bytes.toString('base64'), bytes.toString('base64url')];
}

/**
 * The secrets of the node serving this run: e2e/serve.ts makes its home in a temporary folder
 * named lendnet-e2e-…, whose api.json names the address it serves on.
 */
async function servedNodeSecrets(baseURL: string): Promise<Map<string, string[]>> {
  const port = new URL(baseURL).port;
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith('lendnet-e2e-')) continue;
    const home = join(tmpdir(), name);
    const address = await readFile(join(home, 'api.json'), 'utf8').then((text) => JSON.parse(text) as { url?: string }, () => undefined);
    if (address?.url === undefined || new URL(address.url).port !== port) continue;
    const key = async (file: string) => (JSON.parse(await readFile(join(home, 'keys', file), 'utf8')) as { secretKey: string }).secretKey;
    return new Map([
      ['the admin token', [(await readFile(join(home, 'keys', 'admin-token'), 'utf8')).trim()]],
      ['the validator key', forms(await key('validator.json'))],
      ['the faucet key', forms(await key('faucet.json'))],
    ]);
  }
  throw new Error(`no e2e node home in ${tmpdir()} serves port ${port}`);
}

/** A URL with its percent-escapes decoded (as far as they decode). */
function decoded(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

/** Where in a request a secret turned up, or undefined. */
async function leak(request: Request, secrets: readonly string[]): Promise<string | undefined> {
  const headers = JSON.stringify(await request.allHeaders());
  const body = request.postDataBuffer();
  const bodyText = body === null ? '' : `${body.toString('utf8')}\n${body.toString('hex')}`;
  const url = `${request.url()}\n${decoded(request.url())}`;
  for (const secret of secrets) {
    if (url.includes(secret)) return `the URL of ${request.method()} ${request.url()}`;
    if (headers.includes(secret)) return `the headers of ${request.method()} ${request.url()}`;
    if (bodyText.includes(secret)) return `the body of ${request.method()} ${request.url()}`;
  }
  return undefined;
}

test('the wallet’s secret key never leaves the browser, no page carries a node secret, and the pages run under their CSP', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const requests: Request[] = [];
  page.context().on('request', (request) => requests.push(request));
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(`${page.url()}: ${message.text()}`);
  });

  // The first page's answer carries the policy: no eval, no framing, requests only to the node.
  const first = await page.goto('/');
  const policy = first?.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("default-src 'self'");
  expect(policy).toContain("connect-src 'self'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain('unsafe-eval');
  expect(first?.headers()['x-content-type-options']).toBe('nosniff');
  expect(first?.headers()['x-frame-options']).toBe('DENY');

  // A wallet made, a transaction signed in the page and submitted, then the secret key read back.
  await createWallet(page, 'Sec');
  await faucet(page, 'dollars');
  await page.getByRole('button', { name: 'Export secret key' }).click();
  await page.getByLabel('Passphrase, to show the secret key').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Show secret key' }).click();
  const secret = await page.getByLabel('Secret key of Sec').inputValue();
  expect(secret).toMatch(/^[0-9a-f]{64}$/);

  // The main pages, each until it is live (its reads answered, its stream open).
  for (const path of PAGES) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByTestId('live-status')).toContainText('Live, block');
  }

  // Unlocked again after the reloads, the wallet signs and submits a second transaction.
  await page.goto('/wallet');
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByText('Unlocked: Sec signs.')).toBeVisible();
  await page.getByRole('button', { name: /Get collateral/ }).click();
  await signAndWait(page);

  // No request carried the wallet's secret key, as hex or base64.
  expect(requests.filter((request) => request.method() === 'POST').length).toBeGreaterThanOrEqual(2);
  for (const request of requests) expect(await leak(request, forms(secret)), 'the wallet’s secret key left the browser').toBeUndefined();

  // No page and no script the node served carries one of the node's secrets.
  const nodeSecrets = await servedNodeSecrets(baseURL ?? '');
  const served = new Set(requests.filter((r) => ['document', 'script'].includes(r.resourceType()) && r.url().startsWith(baseURL ?? '-')).map((r) => r.url()));
  expect(served.size).toBeGreaterThan(PAGES.length);
  for (const url of served) {
    const text = await (await page.request.get(url)).text();
    for (const [what, written] of nodeSecrets) {
      for (const form of written) expect(text.includes(form), `${what} is in ${url}`).toBe(false);
    }
  }

  expect(violations).toEqual([]);
});
