import { expect, type Page, test } from '@playwright/test';
import { snapshot } from './kit';

/** What every page owes its users: a way in by keyboard, labelled controls, phone width, and no jumps as blocks arrive. */

const PAGES = ['/', '/market', '/market/lend', '/market/borrow', '/wallet', '/portfolio', '/explorer', '/audit', '/node'] as const;

/** Form controls on the page that no label, aria-label or aria-labelledby names. */
async function unlabelled(page: Page): Promise<string[]> {
  return page.locator('input:not([type=hidden]), select, textarea').evaluateAll((controls) =>
    controls
      .filter((c) => {
        const control = c as HTMLInputElement;
        return (control.labels?.length ?? 0) === 0 && !control.getAttribute('aria-label') && !control.getAttribute('aria-labelledby');
      })
      .map((c) => c.outerHTML.slice(0, 120)),
  );
}

test('the keyboard reaches the content first, and every control has a label', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
  // The header's sections by keyboard: Tab to one, Enter opens it.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Market' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Market', level: 1 })).toBeVisible();

  for (const path of PAGES) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    // The page is live (its first answers read) once the header says so; the stream keeps the network busy for good.
    await expect(page.getByTestId('live-status')).toContainText('Live, block');
    expect(await unlabelled(page), `controls without a label on ${path}`).toEqual([]);
  }
});

test('every page fits a phone screen without sideways scrolling', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of PAGES) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    // The page is live (its first answers read) once the header says so; the stream keeps the network busy for good.
    await expect(page.getByTestId('live-status')).toContainText('Live, block');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
  }
  await page.goto('/market');
  await snapshot(page, testInfo, 'phone-market', 'the market on a phone');
  await page.goto('/explorer');
  await snapshot(page, testInfo, 'phone-explorer', 'the explorer on a phone');
});

test('live updates do not move the page', async ({ page }) => {
  await page.goto('/explorer');
  await expect(page.getByTestId('live-status')).toContainText('Live, block');
  const below = page.getByRole('heading', { name: 'Validators' });
  await expect(below).toBeVisible();
  const start = await page.getByTestId('live-status').innerText();
  const before = await below.boundingBox();
  // Blocks come every 100 ms here: wait until the page has shown several more.
  await expect(page.getByTestId('live-status')).not.toHaveText(start);
  await page.waitForTimeout(1_500);
  const after = await below.boundingBox();
  expect(after?.y).toBe(before?.y);
});
