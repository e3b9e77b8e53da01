import { appendFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { haveChromium, screenshot, useBrowser } from '../helpers/browser.js';
import { appendLines, expectSequence, numbered } from '../helpers/lines.js';
import { startServer } from '../helpers/server.js';
import { tmpLog } from '../helpers/tmp.js';

const rowTexts = (page: Page): Promise<string[]> => page.$$eval('#lines .row', (rows) => rows.map((r) => r.textContent ?? ''));

/** Waits until the page shows `n` rows, and returns their text. */
async function waitForRows(page: Page, n: number, timeout = 15_000): Promise<string[]> {
  return vi.waitFor(
    async () => {
      const rows = await rowTexts(page);
      if (rows.length !== n) throw new Error(`${rows.length} rows shown, waiting for ${n}; last: ${rows.slice(-3).join(' | ')}`);
      return rows;
    },
    { timeout, interval: 50 },
  );
}

/** Lines the view holds (what scrolling reaches), as opposed to the DOM rows in view. */
const shown = async (page: Page): Promise<number> => Number(await page.locator('#counts').getAttribute('data-shown'));
const firstRow = (page: Page): Promise<string | null> => page.locator('#lines .row').first().textContent();
const lastRow = (page: Page): Promise<string | null> => page.locator('#lines .row').last().textContent();

const state = (page: Page): Promise<string | null> => page.locator('#state').getAttribute('data-state');
const data = (page: Page, selector: string, key: string): Promise<string | null> => page.locator(selector).getAttribute(`data-${key}`);

async function waitForState(page: Page, wanted: string): Promise<void> {
  await expect.poll(() => state(page), { timeout: 15_000 }).toBe(wanted);
}

describe.skipIf(!haveChromium)('the browser live view at GET /', () => {
  const browser = useBrowser();

  /** A server on a fresh log file, and the page on it, live. */
  async function openLive(options: { content?: string; query?: string; height?: number; colorScheme?: 'light' | 'dark' } = {}) {
    const file = await tmpLog(options.content);
    const server = await startServer({ file });
    const { page } = await browser.open(`${server.url}/${options.query ?? ''}`, options);
    await waitForState(page, 'live');
    return { file, server, page };
  }

  it('shows lines appended to the file as they arrive, with session and event columns, as text', async () => {
    const { file, page } = await openLive({ content: 'old:1\nold:2\n' });
    // The default history: the last lines before the page opened.
    expect(await waitForRows(page, 2)).toEqual(['old:1', 'old:2']);
    expect(await page.locator('#file').textContent()).toBe(file);

    await appendFile(file, 'ab12:impression\n<img src=x onerror="document.title=1">:click\nno event here\n');
    const rows = await waitForRows(page, 5);
    expect(rows.slice(2)).toEqual(['ab12:impression', '<img src=x onerror="document.title=1">:click', 'no event here']);
    const third = page.locator('#lines .row').nth(2);
    expect(await third.locator('.session').textContent()).toBe('ab12');
    expect(await third.locator('.event').textContent()).toBe('impression');
    expect(await page.locator('#lines .row').nth(4).locator('.text').textContent()).toBe('no event here');
    // A log line is untrusted: it is shown, never parsed as markup.
    expect(await page.locator('#lines img').count()).toBe(0);

    // A long line fits its row; a click shows all of it.
    const long = `s9:${'x'.repeat(3000)}`;
    await appendFile(file, `${long}\n`);
    await waitForRows(page, 6);
    const row = page.locator('#lines .row').nth(5);
    expect(await row.locator('.event').evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await row.click();
    expect(await page.locator('#detail-line').textContent()).toBe(long);
    expect(await page.locator('#detail-meta').textContent()).toContain('session s9');
    await page.keyboard.press('Escape');
    expect(await page.locator('#detail').isVisible()).toBe(false);
  });

  it('filters: hides lines that do not match, highlights the match, flags a bad pattern, ignores case and inverts', async () => {
    const { file, page } = await openLive();
    await appendFile(file, 's1:impression\ns2:click\ns3:buy\ns4:click\n');
    await waitForRows(page, 4);

    await page.fill('#filter', 'cli');
    expect(await waitForRows(page, 2)).toEqual(['s2:click', 's4:click']);
    expect(await page.$$eval('#lines mark', (marks) => marks.map((m) => m.textContent))).toEqual(['cli', 'cli']);

    // Half-typed: a hint, and the last good filter stays.
    await page.fill('#filter', 'cli(');
    await expect.poll(() => page.locator('#filter-hint').textContent()).toMatch(/^invalid pattern: /);
    expect(await page.locator('#filter').getAttribute('aria-invalid')).toBe('true');
    expect(await rowTexts(page)).toEqual(['s2:click', 's4:click']);

    await page.fill('#filter', 'CLICK');
    await waitForRows(page, 0);
    expect(await page.locator('#filter-hint').textContent()).toBe('');
    await page.check('#ignore-case');
    expect(await waitForRows(page, 2)).toEqual(['s2:click', 's4:click']);
    await page.check('#invert');
    expect(await waitForRows(page, 2)).toEqual(['s1:impression', 's3:buy']);
    expect(await page.locator('#lines mark').count()).toBe(0);

    // New lines go through the same filter, and the filter is kept in the page URL.
    await appendFile(file, 's5:Click\ns6:signup\n');
    expect(await waitForRows(page, 3)).toEqual(['s1:impression', 's3:buy', 's6:signup']);
    expect(new URL(page.url()).searchParams.get('match')).toBe('CLICK');

    await page.press('#filter', 'Escape');
    expect(await waitForRows(page, 6)).toHaveLength(6);
  });

  it('with "on server", only matching lines cross the network', async () => {
    const { file, page } = await openLive({ query: '?match=BUY&ignore_case=1&server=1' });
    expect(await page.isChecked('#server-filter')).toBe(true);
    let lines = '';
    for (let i = 0; i < 20; i++) lines += i % 4 === 0 ? `s${i}:buy\n` : `s${i}:click\n`;
    await appendFile(file, `${lines}end:Buy\n`);
    const rows = await waitForRows(page, 6);
    expect(rows).toEqual(['s0:buy', 's4:buy', 's8:buy', 's12:buy', 's16:buy', 'end:Buy']);
    expect(await data(page, '#counts', 'received')).toBe('6');
  });

  it('pause holds new lines and counts them; resume shows every one', async () => {
    const { file, page } = await openLive();
    await appendLines(file, 0, 10);
    await waitForRows(page, 10);

    await page.click('#pause');
    expect(await page.locator('#pause').getAttribute('aria-pressed')).toBe('true');
    await appendLines(file, 10, 50);
    await expect.poll(() => data(page, '#waiting', 'count'), { timeout: 15_000 }).toBe('50');
    expect(await page.locator('#waiting').isVisible()).toBe(true);
    expect(await rowTexts(page)).toHaveLength(10);

    // The keyboard works as well as the button.
    await page.locator('#scroller').focus();
    await page.keyboard.press('p');
    expectSequence(await waitForRows(page, 60), 60);
    expect(await page.locator('#waiting').isVisible()).toBe(false);
  });

  it('stops following when scrolled up and follows again at the bottom', async () => {
    const { file, page } = await openLive({ height: 700 });
    await appendLines(file, 0, 300);
    await expect.poll(() => lastRow(page)).toBe('seq:299');
    // Only the rows in view are in the DOM.
    expect((await rowTexts(page)).length).toBeLessThan(60);
    const atBottom = (): Promise<boolean> =>
      page.$eval('#scroller', (el) => el.scrollHeight - el.scrollTop - el.clientHeight <= 8);
    expect(await atBottom()).toBe(true);

    await page.$eval('#scroller', (el) => el.scrollTo(0, 0));
    await expect.poll(() => firstRow(page)).toBe('seq:0');
    await expect.poll(() => page.locator('#follow').isVisible()).toBe(true);
    await appendLines(file, 300, 100);
    await expect.poll(() => shown(page)).toBe(400);
    expect(await page.$eval('#scroller', (el) => el.scrollTop)).toBe(0);
    expect(await firstRow(page)).toBe('seq:0');

    await page.click('#follow');
    await expect.poll(() => lastRow(page)).toBe('seq:399');
    await appendLines(file, 400, 100);
    await expect.poll(() => lastRow(page)).toBe('seq:499');
    expect(await atBottom()).toBe(true);
    expect(await page.locator('#follow').isVisible()).toBe(false);
  });

  it('resumes after the server restarts, with no gap and no duplicate', async () => {
    const file = await tmpLog();
    const first = await startServer({ file });
    const { page } = await browser.open(`${first.url}/`);
    await waitForState(page, 'live');
    await appendLines(file, 0, 20);
    await waitForRows(page, 20);

    await first.close();
    await waitForState(page, 'reconnecting');
    await appendLines(file, 20, 20);
    await startServer({ file, port: first.port });
    await appendLines(file, 40, 20);
    expectSequence(await waitForRows(page, 60, 25_000), 60);
    await waitForState(page, 'live');
  });

  it('marks a gap as a row of its own when the file it was reading is gone after a restart', async () => {
    const file = await tmpLog();
    const first = await startServer({ file });
    const { page } = await browser.open(`${first.url}/`);
    await waitForState(page, 'live');
    await appendLines(file, 0, 5);
    await waitForRows(page, 5);
    await first.close();
    await waitForState(page, 'reconnecting');
    // Rotated while the server was away, and the rotated file deleted (or compressed) since.
    await rename(file, `${file}.1`);
    await writeFile(file, numbered(5, 3));
    await rm(`${file}.1`);
    await startServer({ file, port: first.port });
    const rows = await waitForRows(page, 9, 25_000);
    expect(rows).toEqual([...numbered(0, 5).split('\n').filter(Boolean), `gap in ${file}: rotated file gone`, 'seq:5', 'seq:6', 'seq:7']);
    const gap = page.locator('#lines .row').nth(5);
    expect(await gap.getAttribute('class')).toBe('row gap');
    // A gap shows whatever the filter, since what it skipped might have matched.
    await page.fill('#filter', 'seq:6');
    await expect.poll(() => rowTexts(page)).toEqual([`gap in ${file}: rotated file gone`, 'seq:6']);
  });

  it.each([
    ['the browser retries on its own', undefined],
    ['the page reopens the stream after a 401', 's3cret'],
  ])('loses nothing appended while the server is away before the first line: %s', async (_, token) => {
    const file = await tmpLog(numbered(0, 3, 'old'));
    const first = await startServer({ file });
    const { page } = await browser.open(`${first.url}/?tail=0`);
    await waitForState(page, 'live');
    await first.close();
    await waitForState(page, 'reconnecting');
    // The page has seen no record: only the id its stream started at says where to resume.
    await appendLines(file, 0, 10);
    await startServer({ file, port: first.port, token });
    if (token !== undefined) {
      await waitForState(page, 'unauthorized');
      await page.fill('#token', token);
      await page.press('#token', 'Enter');
    }
    await waitForState(page, 'live');
    await appendLines(file, 10, 5);
    expectSequence(await waitForRows(page, 15, 25_000), 15);
  });

  it('asks for the token on 401, then streams; ?token= on the page URL works directly', async () => {
    const file = await tmpLog();
    const server = await startServer({ file, token: 's3cret' });
    const { page } = await browser.open(`${server.url}/`);
    await waitForState(page, 'unauthorized');
    expect(await page.locator('#token-form').isVisible()).toBe(true);

    await page.fill('#token', 'wrong');
    await page.press('#token', 'Enter');
    await waitForState(page, 'unauthorized');
    await page.fill('#token', 's3cret');
    await page.click('#token-form button');
    await waitForState(page, 'live');
    expect(await page.locator('#token-form').isVisible()).toBe(false);
    await appendLines(file, 0, 3);
    expectSequence(await waitForRows(page, 3), 3);

    const direct = await browser.open(`${server.url}/?token=s3cret&tail=0`);
    await waitForState(direct.page, 'live');
    await appendLines(file, 3, 2);
    expect(await waitForRows(direct.page, 2)).toEqual(['seq:3', 'seq:4']);
  });

  it('keeps at most the line limit after 20,000 lines: the newest, in order, with only the rows in view in the DOM', async () => {
    const { file, page } = await openLive();
    await appendFile(file, numbered(0, 20_000));
    await expect.poll(() => lastRow(page), { timeout: 20_000 }).toBe('seq:19999');
    expect(await shown(page)).toBe(5000);
    expect(await data(page, '#counts', 'received')).toBe('20000');

    // Every screenful is a run of consecutive lines, from 15,000 at the top to 19,999 at the bottom.
    const expectRun = async (rows: string[], first: number): Promise<void> => {
      expect(rows.length).toBeGreaterThan(20);
      expect(rows.length).toBeLessThan(200);
      expect(rows.map((r) => Number(r.slice(4)))).toEqual(Array.from({ length: rows.length }, (_, i) => first + i));
    };
    const bottom = await rowTexts(page);
    await expectRun(bottom, 20_000 - bottom.length);
    await page.$eval('#scroller', (el) => el.scrollTo(0, 0));
    await expect.poll(() => firstRow(page)).toBe('seq:15000');
    await expectRun(await rowTexts(page), 15_000);
    await page.$eval('#scroller', (el) => el.scrollTo(0, el.scrollHeight / 2));
    const middle = await vi.waitFor(async () => {
      const rows = await rowTexts(page);
      if (rows[0] === 'seq:15000') throw new Error('not scrolled yet');
      return rows;
    });
    await expectRun(middle, Number(middle[0]!.slice(4)));
  });

  it('charts a non-zero rate per event name while lines arrive, with totals', async () => {
    const { file, page } = await openLive({ query: '?tail=0', colorScheme: 'dark', height: 700 });
    const names = ['impression', 'click', 'buy', 'signup'];
    let n = 0;
    // A steady writer until the chart reports a rate: the rate is of the last complete second.
    const writer = setInterval(() => {
      let lines = '';
      for (let i = 0; i < 40; i++, n++) lines += `s-${(n * 7919) % 97}:${names[n % 7 < 3 ? 0 : n % names.length]}\n`;
      void appendFile(file, lines);
    }, 20);
    try {
      await expect.poll(async () => Number(await data(page, '#rate', 'rate')), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => page.locator('#chart polyline').count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator('#legend li .name').allTextContents()).toContain('impression');
      await screenshot(page, 'live-view.png');
    } finally {
      clearInterval(writer);
    }
    const points = (await page.locator('#chart polyline').first().getAttribute('points')) ?? '';
    const heights = points.split(' ').map((p) => Number(p.split(',')[1]));
    expect(Math.min(...heights)).toBeLessThan(100);
  });
});
