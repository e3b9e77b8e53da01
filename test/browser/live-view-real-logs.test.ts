import { appendFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { haveChromium, screenshot, useBrowser } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { tmpLog } from '../helpers/tmp.js';

const rowTexts = (page: Page): Promise<string[]> => page.$$eval('#lines .row', (rows) => rows.map((r) => r.textContent ?? ''));

async function waitForRows(page: Page, n: number): Promise<string[]> {
  return vi.waitFor(async () => {
    const rows = await rowTexts(page);
    if (rows.length !== n) throw new Error(`${rows.length} rows shown, waiting for ${n}`);
    return rows;
  }, { timeout: 15_000, interval: 50 });
}

const legend = async (page: Page): Promise<Record<string, string>> =>
  Object.fromEntries(await page.$$eval('#legend li', (items) => items.map((li) => [li.querySelector('.name')!.textContent, li.querySelector('.total')!.textContent])));

/** Lines of a real dpkg.log: a date, a time, words. None of them is an event. */
const DPKG = [
  '2026-12-01 13:10:21 startup archives unpack',
  '2026-12-01 13:10:21 status half-configured man-db:amd64 2.11.2-2',
  '2026-12-01 13:10:22 status installed man-db:amd64 2.11.2-2',
  'ERROR: disk full',
];

describe.skipIf(!haveChromium)('the live view on real logs', () => {
  const browser = useBrowser();

  async function open(content: string, options: { query?: string; width?: number; height?: number } = {}) {
    const file = await tmpLog(content);
    const server = await startServer({ file });
    const { page } = await browser.open(`${server.url}/${options.query ?? ''}`, options);
    await expect.poll(() => page.locator('#state').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    return { file, page };
  }

  it('shows ordinary log lines full width, and charts events only, the other lines as one series', async () => {
    const { page } = await open([...DPKG, 's1:impression', 's2:click', 's3:impression'].map((l) => `${l}\n`).join(''));
    await waitForRows(page, 7);
    const plain = page.locator('#lines .row').nth(1);
    expect(await plain.locator('.session, .event').count()).toBe(0);
    const [row, text, session] = await Promise.all([
      plain.boundingBox(),
      plain.locator('.text').boundingBox(),
      page.locator('#lines .row').nth(4).locator('.session').boundingBox(),
    ]);
    // The line starts where an event's session column starts and takes the row's whole width.
    expect(text!.x).toBe(session!.x);
    expect(text!.width).toBeGreaterThan(row!.width - 2 * (text!.x - row!.x) - 2);
    await expect.poll(() => legend(page)).toEqual({ impression: '2', '(other)': '4', click: '1' });
  });

  it('gives an event name the same colour whatever order the names arrive in', async () => {
    // Names whose hues are close: a palette that steps away from taken hues colours them by order.
    const colourOf = async (content: string, name: string): Promise<string> => {
      const { page } = await open(content);
      await waitForRows(page, 2);
      const cell = page.locator('#lines .event', { hasText: new RegExp(`^${name}$`) });
      return cell.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).color);
    };
    const first = await colourOf('a:buy\nb:view\n', 'view');
    const second = await colourOf('b:view\na:buy\n', 'view');
    expect(second).toBe(first);
    expect(await colourOf('c:view\nd:signup\n', 'view')).toBe(first);
  });

  it('counts the history it opens with in the totals, not as a burst in the live rate', async () => {
    const history = Array.from({ length: 100 }, (_, i) => `s${i}:impression\n`).join('');
    const { file, page } = await open(history);
    // The DOM holds only the rows in view: count what the view holds.
    await expect.poll(() => page.locator('#counts').getAttribute('data-shown'), { timeout: 15_000 }).toBe('100');
    const seen = await page.evaluate(() => performance.timeOrigin + performance.now());
    // A drawing a full second after the history arrived covers the second it arrived in.
    await expect.poll(async () => Number(await page.locator('#chart').getAttribute('data-drawn-at')), { timeout: 15_000 }).toBeGreaterThan(seen + 1000);
    expect(await page.locator('#peak').textContent()).toBe('1/s');
    expect(await page.locator('#rate').getAttribute('data-rate')).toBe('0');
    expect(await legend(page)).toEqual({ impression: '100' });

    // Lines written now are the live rate.
    await appendFile(file, 's1:click\ns2:click\ns3:click\ns4:click\ns5:click\n');
    await expect.poll(() => page.locator('#peak').textContent(), { timeout: 15_000 }).toBe('5/s');
    expect(await legend(page)).toEqual({ impression: '100', click: '5' });
  });

  it('keeps the totals and the filter hint readable on a 390 px phone', async () => {
    const { page } = await open('s1:impression\ns2:click\ns3:buy\n', { width: 390, height: 844 });
    await waitForRows(page, 3);
    const inView = async (selector: string): Promise<void> => {
      const box = await page.locator(selector).boundingBox();
      expect(box, selector).not.toBeNull();
      expect(box!.x, selector).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, selector).toBeLessThanOrEqual(390);
      expect(await page.locator(selector).evaluate((el) => el.scrollWidth <= el.clientWidth), selector).toBe(true);
    };
    await expect.poll(() => page.locator('#legend li').count()).toBe(3);
    expect(await page.locator('#legend').isVisible()).toBe(true);
    for (let i = 0; i < 3; i++) await inView(`#legend li:nth-child(${i + 1})`);

    await page.fill('#filter', 'impression|click(');
    await expect.poll(() => page.locator('#filter-hint').textContent()).toMatch(/^invalid pattern: /);
    await inView('#filter-hint');
    const hint = page.locator('#filter-hint');
    // All of the hint is shown: nothing cut by an ellipsis or hidden overflow.
    expect(await hint.evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    await screenshot(page, 'live-view-phone.png');
  });
});
