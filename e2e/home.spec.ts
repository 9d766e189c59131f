import { expect, type Page, test } from '@playwright/test';
import { snapshot } from './kit';

/** The height the page shows: the first number after the word "height", as a reader sees the page. */
async function shownHeight(page: Page): Promise<number | undefined> {
  const text = await page.locator('body').innerText();
  const found = /\bheight\b\D{0,20}?(\d[\d,]*)/i.exec(text);
  return found?.[1] === undefined ? undefined : Number(found[1].replaceAll(',', ''));
}

test('the home page shows the chain and a height from the node serving it', async ({ page, request }, testInfo) => {
  await page.goto('/');

  await expect(page.getByText('lendnet-devnet').first()).toBeVisible();
  // The devnet makes a block every 100 ms: the page shows a height above genesis, and never above the node's.
  await expect.poll(() => shownHeight(page), { message: 'a height after the word "Height" on the page' }).toBeGreaterThan(0);
  const shown = await shownHeight(page);
  const health = (await (await request.get('/healthz')).json()) as { chainId: string; height: number };
  expect(health.chainId).toBe('lendnet-devnet');
  expect(shown).toBeLessThanOrEqual(health.height);

  await snapshot(page, testInfo, 'home', 'home page');
});

test('the API answers chain.head at the page origin', async ({ page }) => {
  await page.goto('/');
  // Fetched by the page itself, as the app's own tRPC client does: same origin, no CORS.
  const answer = await page.evaluate(async () => {
    const response = await fetch('/api/trpc/chain.head');
    return { status: response.status, body: (await response.json()) as { result?: { data?: { chainId?: unknown; height?: unknown } } } };
  });
  expect(answer.status).toBe(200);
  expect(answer.body.result?.data?.chainId).toBe('lendnet-devnet');
  expect(answer.body.result?.data?.height).toEqual(expect.any(Number));
});
