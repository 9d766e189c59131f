import { expect, type Locator, type Page, test } from '@playwright/test';
import { snapshot } from './kit';

/**
 * The explorer and the node page, as someone checking the chain meets them: the latest blocks
 * arriving live, one block opened from the list, a height searched for, and the node's own
 * figures (height, index lag) kept fresh.
 */

/** A number as the page writes it ("1,234") as a number. */
function numberIn(text: string): number {
  const found = /\d[\d,]*/.exec(text);
  return found ? Number(found[0].replaceAll(',', '')) : Number.NaN;
}

/** The height in the first row of the latest-blocks table. */
async function newestListed(blocks: Locator): Promise<number> {
  return numberIn(await blocks.getByRole('rowheader').first().innerText());
}

/** The value a page shows beside a label, in its row of facts. */
function fact(page: Page, label: string): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) }).getByRole('cell');
}


test('the explorer shows blocks arriving, opens a block, finds a height, and the node page shows its height and index lag', async ({ page }, testInfo) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Explorer' }).click();
  await expect(page.getByRole('heading', { name: 'Explorer', level: 1 })).toBeVisible();

  // Live: a newer block reaches the top of the list without reloading the page.
  const blocks = page.getByRole('table', { name: 'Latest blocks' });
  await expect(blocks.getByRole('rowheader').first()).toHaveText(/^\d[\d,]*$/);
  const first = await newestListed(blocks);
  await expect.poll(() => newestListed(blocks), { message: 'a newer block at the top of the list', timeout: 15_000 }).toBeGreaterThan(first);
  await expect(page.getByRole('heading', { name: 'Validators' })).toBeVisible();
  await snapshot(page, testInfo, 'explorer', 'explorer: latest blocks');

  // Paused, the list holds still, so the block read is the block opened.
  await page.getByRole('button', { name: 'Pause live updates' }).click();
  await expect(page.getByRole('button', { name: 'Resume live updates' })).toHaveAttribute('aria-pressed', 'true');
  const opened = await newestListed(blocks);
  await blocks.getByRole('rowheader').first().getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/explorer/block/${opened}$`));
  await expect(page.getByRole('heading', { name: `Block ${opened.toLocaleString('en-US')}`, level: 1 })).toBeVisible();
  await expect(fact(page, 'Proposer')).toContainText(/[0-9a-f]{64}/);
  await expect(fact(page, 'Commit')).toContainText(/1 signature in round \d+/);
  await snapshot(page, testInfo, 'block', 'a block');

  // Search: a height goes straight to its block; a word that names nothing says so plainly.
  const search = page.getByLabel('Search the chain');
  await search.fill('3');
  await search.press('Enter');
  await expect(page).toHaveURL(/\/explorer\/block\/3$/);
  await expect(page.getByRole('heading', { name: 'Block 3', level: 1 })).toBeVisible();
  await expect(fact(page, 'Height')).toHaveText('3');
  await snapshot(page, testInfo, 'search-height', 'a height searched for');
  await search.fill('no-such-thing');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText(/Nothing found for “no-such-thing”/)).toBeVisible();
  await expect(page).toHaveURL(/\/explorer\/block\/3$/);

  // The node page: its height and index lag, read again as blocks are indexed.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Node' }).click();
  await expect(page.getByRole('heading', { name: 'Node', level: 1 })).toBeVisible();
  const height = fact(page, 'Height');
  await expect(height).toHaveText(/^\d[\d,]*$/);
  await expect(fact(page, 'Index lag')).toHaveText(/^\d[\d,]* blocks?/);
  await expect(page.getByText(/^(OK: making blocks|Degraded|Stopping)/)).toBeVisible();
  const shown = numberIn(await height.innerText());
  await expect.poll(async () => numberIn(await height.innerText()), { message: 'the height refreshes', timeout: 15_000 }).toBeGreaterThan(shown);
  await snapshot(page, testInfo, 'node', 'node status');
});
