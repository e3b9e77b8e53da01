import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { hashHue } from '../../src/web/colour.js';
import { haveChromium, useBrowser } from '../helpers/browser.js';
import { numbered } from '../helpers/lines.js';
import { startServer } from '../helpers/server.js';
import { tmpDir } from '../helpers/tmp.js';

const rowTexts = (page: Page): Promise<string[]> => page.$$eval('#lines .row', (rows) => rows.map((r) => r.textContent ?? ''));

/** Waits until the rows are exactly `wanted`. */
async function expectRows(page: Page, wanted: string[], timeout = 15_000): Promise<void> {
  await vi.waitFor(
    async () => {
      const rows = await rowTexts(page);
      if (JSON.stringify(rows) !== JSON.stringify(wanted)) throw new Error(`rows: ${rows.join(' | ')}`);
    },
    { timeout, interval: 50 },
  );
}

const legend = async (page: Page): Promise<Record<string, string>> =>
  Object.fromEntries(await page.$$eval('#legend li', (items) => items.map((li) => [li.querySelector('.name')!.textContent, li.querySelector('.total')!.textContent])));

/** `prefix:from … prefix:(from+n-1)` as rows of `file`, as the page shows them with several files. */
const rowsOf = (file: string, from: number, n: number, prefix = 'seq'): string[] =>
  numbered(from, n, prefix).split('\n').filter(Boolean).map((line) => `${file}:${line}`);

const selectedInUrl = (page: Page): string[] => new URL(page.url()).searchParams.getAll('file');

describe.skipIf(!haveChromium)('the live view of several files', () => {
  const browser = useBrowser();

  /** A server following these files (name → content) in a fresh directory, and the page on it, live. */
  async function openLive(contents: Record<string, string>, options: { query?: string; width?: number; height?: number; state?: string } = {}) {
    const dir = await tmpDir();
    const files = Object.keys(contents).map((name) => path.join(dir, name));
    await Promise.all(files.map((file, i) => writeFile(file, Object.values(contents)[i]!)));
    const server = await startServer({ files, stateDir: await tmpDir() });
    const opened = await browser.open(`${server.url}/${options.query ?? ''}`, options);
    await expect.poll(() => opened.page.locator('#state').getAttribute('data-state'), { timeout: 15_000 }).toBe(options.state ?? 'live');
    return { files, server, page: opened.page };
  }

  /** Opens the picker and ticks or unticks a file's box, by its label as a screen reader has it. */
  async function tick(page: Page, file: string, on: boolean): Promise<void> {
    if ((await page.locator('#files').getAttribute('open')) === null) await page.click('#files summary');
    await page.getByRole('checkbox', { name: file, exact: true }).setChecked(on);
  }

  it('shows each file as a column of its rows, in a colour that comes from its name alone', async () => {
    const { files, server, page } = await openLive({ 'api.log': 'a:1\na:2\n', 'web.log': 'w:1\n', 'worker.log': 'plain line\n' });
    const [api, web, worker] = files as [string, string, string];
    await vi.waitFor(async () => expect((await rowTexts(page)).sort()).toEqual([`${api}:a:1`, `${api}:a:2`, `${web}:w:1`, `${worker}:plain line`].sort()), { timeout: 15_000 });
    expect(await page.locator('#files').isVisible()).toBe(true);
    expect(await page.locator('#files-summary').textContent()).toBe('all 3 files');
    expect(await page.locator('#file').textContent()).toBe('');

    await appendFile(web, 'w:2\n');
    await expect.poll(async () => (await rowTexts(page)).at(-1)).toBe(`${web}:w:2`);
    const last = page.locator('#lines .row').last();
    expect(await last.locator('.file').textContent()).toBe(web);
    expect(await last.locator('.session').textContent()).toBe('w');

    // The same file has the same colour in every browser, whatever order the files come in.
    const hueOf = (p: Page, file: string): Promise<string> =>
      p.$$eval('#lines .row', (rows, f) => rows.find((r) => r.querySelector('.file')?.textContent === f)!.style.getPropertyValue('--file-hue'), file);
    for (const file of files) expect(await hueOf(page, file)).toBe(String(hashHue(file)));
    const other = await browser.open(`${server.url}/?file=${encodeURIComponent(worker)}&file=${encodeURIComponent(api)}`);
    await expect.poll(() => rowTexts(other.page)).toContain(`${worker}:plain line`);
    expect(await hueOf(other.page, worker)).toBe(await hueOf(page, worker));
    const colour = (p: Page, file: string): Promise<string> =>
      p.getByRole('checkbox', { name: file, exact: true }).evaluate((box) => { const name = box.parentElement!.querySelector('.name')!; return name.ownerDocument.defaultView!.getComputedStyle(name).color; });
    await other.page.click('#files summary');
    await page.click('#files summary');
    expect(await colour(other.page, worker)).toBe(await colour(page, worker));
    expect(new Set(await Promise.all(files.map((f) => colour(page, f)))).size).toBe(3);
  });

  it('picking one file shows only its lines and the URL says so; picking two merges; a reload keeps the choice', async () => {
    const { files, page } = await openLive({ 'a.log': numbered(0, 2, 'a'), 'b.log': numbered(0, 2, 'b'), 'c.log': numbered(0, 2, 'c') });
    const [a, b, c] = files as [string, string, string];
    await expect.poll(async () => (await rowTexts(page)).length, { timeout: 15_000 }).toBe(6);

    await page.click('#files summary');
    await page.getByRole('button', { name: `only ${a}` }).click();
    await expectRows(page, rowsOf(a, 0, 2, 'a'));
    expect(selectedInUrl(page)).toEqual([a]);
    expect(await page.locator('#files-summary').textContent()).toBe(a);
    await appendFile(b, numbered(2, 1, 'b'));
    await appendFile(a, numbered(2, 2, 'a'));
    await expectRows(page, rowsOf(a, 0, 4, 'a'));

    await tick(page, b, true);
    expect(selectedInUrl(page)).toEqual([a, b]);
    expect(await page.locator('#files-summary').textContent()).toBe('2 of 3 files');
    // The lines of b the page still holds come back; what was written to b meanwhile may follow.
    await expect.poll(() => rowTexts(page)).toEqual(expect.arrayContaining(rowsOf(b, 0, 2, 'b')));
    await appendFile(c, numbered(2, 1, 'c'));
    await appendFile(b, numbered(3, 1, 'b'));
    await appendFile(a, numbered(4, 1, 'a'));
    await expect.poll(async () => (await rowTexts(page)).slice(-2)).toEqual([...rowsOf(b, 3, 1, 'b'), ...rowsOf(a, 4, 1, 'a')]);
    const rows = await rowTexts(page);
    expect(rows.filter((r) => r.startsWith(`${a}:`))).toEqual(rowsOf(a, 0, 5, 'a'));
    expect(rows.some((r) => r.startsWith(`${c}:`))).toBe(false);

    await page.reload();
    await expect.poll(() => page.locator('#state').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    expect(selectedInUrl(page)).toEqual([a, b]);
    await page.click('#files summary');
    for (const [file, on] of [[a, true], [b, true], [c, false]] as const) await expect.poll(() => page.getByRole('checkbox', { name: file, exact: true }).isChecked()).toBe(on);
    await expect.poll(async () => (await rowTexts(page)).filter((r) => r.startsWith(`${a}:`))).toEqual(rowsOf(a, 0, 5, 'a'));
    expect((await rowTexts(page)).some((r) => r.startsWith(`${c}:`))).toBe(false);

    await page.getByRole('button', { name: 'all files' }).click();
    expect(selectedInUrl(page)).toEqual([]);
    await appendFile(c, numbered(3, 1, 'c'));
    await expect.poll(async () => (await rowTexts(page)).at(-1)).toBe(rowsOf(c, 3, 1, 'c')[0]);
  });

  it('loses no line and shows none twice while the choice of files changes under a writer', async () => {
    const { files, page } = await openLive({ 'a.log': '', 'b.log': '' }, { query: '?tail=0' });
    const [a, b] = files as [string, string];
    let n = 0;
    const write = async (): Promise<void> => {
      await Promise.all([appendFile(a, numbered(n, 3, 'a')), appendFile(b, numbered(n, 3, 'b'))]);
      n += 3;
    };
    for (let round = 0; round < 7; round++) {
      await write();
      // The stream reopens with the new choice while lines go on arriving.
      const change = tick(page, b, round % 2 === 1);
      await write();
      await change;
      await expect.poll(() => selectedInUrl(page)).toEqual(round % 2 === 1 ? [] : [a]);
    }
    await write();
    expect(selectedInUrl(page)).toEqual([a]);
    // b is not chosen: the rows are a's lines, every one exactly once and in order.
    await expectRows(page, rowsOf(a, 0, n, 'a'));
  });

  it("charts per file on demand, each file's lines summed, and keeps that choice in the URL", async () => {
    const { files, page } = await openLive({ 'a.log': 's1:click\ns2:buy\nplain line\n', 'b.log': 's3:click\n' });
    const [a, b] = files as [string, string];
    await expect.poll(() => legend(page), { timeout: 15_000 }).toEqual({ click: '2', buy: '1', '(other)': '1' });

    await page.getByRole('radio', { name: 'per file' }).check();
    await expect.poll(() => legend(page)).toEqual({ [a]: '3', [b]: '1' });
    expect(new URL(page.url()).searchParams.get('chart')).toBe('file');
    expect(await page.locator('#legend').getAttribute('aria-label')).toBe('Totals per file');
    await appendFile(b, 's4:buy\nanother plain line\n');
    await expect.poll(() => legend(page)).toEqual({ [a]: '3', [b]: '3' });
    // Lines that arrived live draw a line per file, in the file's colour.
    await expect.poll(() => page.$$eval('#chart polyline title', (titles) => titles.map((t) => t.textContent).sort())).toEqual([a, b].sort());

    await page.reload();
    await expect.poll(() => page.getByRole('radio', { name: 'per file' }).isChecked(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => legend(page), { timeout: 15_000 }).toEqual({ [a]: '3', [b]: '3' });
    await page.getByRole('radio', { name: 'per event' }).check();
    await expect.poll(() => legend(page)).toEqual({ click: '2', buy: '2', '(other)': '2' });
    expect(new URL(page.url()).searchParams.get('chart')).toBe(null);
  });

  it('says so when a link names a file the server does not follow, and "all files" gets back to every file', async () => {
    const { files, page } = await openLive({ 'a.log': 's1:click\n', 'b.log': 's2:buy\n' }, { query: '?file=gone.log', state: 'failed' });
    expect(await page.locator('#state').textContent()).toContain('gone.log');
    await page.click('#files summary');
    const gone = page.locator('#files-list li', { has: page.getByRole('checkbox', { name: 'gone.log', exact: true }) });
    expect(await gone.locator('.size').textContent()).toBe('not served');
    await page.getByRole('button', { name: 'all files' }).click();
    await expect.poll(() => page.locator('#state').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    await expect.poll(async () => (await rowTexts(page)).sort()).toEqual([`${files[0]}:s1:click`, `${files[1]}:s2:buy`]);
    expect(await page.getByRole('checkbox', { name: 'gone.log', exact: true }).count()).toBe(0);
  });

  it('with one file served, shows its name and no picker, file column or chart toggle', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'only.log');
    await writeFile(file, 's1:click\n');
    const server = await startServer({ files: [file], stateDir: dir });
    const { page } = await browser.open(`${server.url}/`);
    await expect.poll(() => page.locator('#file').textContent(), { timeout: 15_000 }).toBe(file);
    await expectRows(page, ['s1:click']);
    expect(await page.title()).toBe(`evlog: ${file}`);
    expect(await page.locator('#files').isVisible()).toBe(false);
    expect(await page.locator('#chart-by').isVisible()).toBe(false);
    expect(await page.locator('#lines .row .file').count()).toBe(0);
  });

  it('is readable at 390 px and works from the keyboard; the picker opens over the page, moving nothing', async () => {
    const names = ['payments-gateway-eu-west-1.log', 'payments-gateway-us-east-2.log', 'checkout.log'];
    const { files, page } = await openLive(Object.fromEntries(names.map((n, i) => [n, `s${i}:impression\n`])), { width: 390, height: 700 });
    await expect.poll(async () => (await rowTexts(page)).length, { timeout: 15_000 }).toBe(3);
    const width = 390;
    expect(await page.$eval('html', (html) => html.scrollWidth)).toBeLessThanOrEqual(width);
    const row = page.locator('#lines .row').first();
    const [file, event] = [await row.locator('.file').boundingBox(), await row.locator('.event').boundingBox()];
    expect(file!.width).toBeLessThan(width / 3);
    expect(event!.x + 60).toBeLessThanOrEqual(width);
    // The end of a long name is what tells the files apart: the ellipsis goes at its start.
    expect(await row.locator('.file').evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).direction)).toBe('rtl');

    const log = await page.locator('#scroller').boundingBox();
    await page.locator('#files summary').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#files-list').isVisible()).toBe(true);
    expect(await page.locator('#scroller').boundingBox()).toEqual(log);
    const panel = (await page.locator('.files-panel').boundingBox())!;
    expect(panel.x).toBeGreaterThanOrEqual(0);
    expect(panel.x + panel.width).toBeLessThanOrEqual(width);
    for (const f of files) expect(await page.getByRole('checkbox', { name: f, exact: true }).isVisible()).toBe(true);

    await page.keyboard.press('Tab');
    await expect.poll(() => page.$eval('html', (html) => html.ownerDocument.activeElement?.textContent)).toBe('all files');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    const sorted = [...files].sort();
    await expect.poll(() => selectedInUrl(page)).toEqual(sorted.slice(1));
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#files-list').isVisible()).toBe(false);
    expect(await page.$eval('html', (html) => html.ownerDocument.activeElement?.tagName)).toBe('SUMMARY');
    await expect.poll(async () => (await rowTexts(page)).length).toBe(2);
    // A click elsewhere closes it, as a menu closes.
    await page.click('#files summary');
    await expect.poll(() => page.locator('#files-list').isVisible()).toBe(true);
    await page.click('#counts');
    await expect.poll(() => page.locator('#files-list').isVisible()).toBe(false);
  });
});
