import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export const CHROMIUM = process.env['EVLOG_CHROMIUM'] ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
// CI installs the browser (.ci/run); there its absence must fail the run, not skip the tests.
if (!haveChromium && process.env['CI']) throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install chromium)`);

export const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');

// This machine has no outside network: without these flags Chromium keeps trying to reach Google.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface OpenedPage {
  page: Page;
  /** Uncaught exceptions in the page; a test ends by expecting none. */
  errors: string[];
}

/** One headless Chromium per test file, a fresh context (no cookies, no storage) per page. */
export interface OpenOptions {
  colorScheme?: 'light' | 'dark';
  height?: number;
  width?: number;
  /** For a server whose certificate the test made (the test's CA is not the browser's). */
  ignoreHTTPSErrors?: boolean;
}

/** `args`: extra Chromium flags for this file's browser (e.g. `--host-resolver-rules`). */
export function useBrowser(args: string[] = []): { open(url: string, options?: OpenOptions): Promise<OpenedPage> } {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const opened: OpenedPage[] = [];

  beforeAll(async () => {
    if (haveChromium) browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...args] });
  });
  afterEach(async () => {
    const errors = opened.splice(0).flatMap((o) => o.errors);
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expect(errors, 'uncaught errors in the page').toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  return {
    async open(url, options = {}) {
      if (!browser) throw new Error('no browser');
      const context = await browser.newContext({
        viewport: { width: options.width ?? 1100, height: options.height ?? 1600 },
        colorScheme: options.colorScheme ?? 'light',
        ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
      });
      contexts.push(context);
      const page = await context.newPage();
      const entry: OpenedPage = { page, errors: [] };
      page.on('pageerror', (err) => entry.errors.push(err.message));
      opened.push(entry);
      await page.goto(url);
      return entry;
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  return file;
}
