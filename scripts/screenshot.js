// `node scripts/screenshot.js [out.png]`: the README's picture of the live view (docs/live-view.png
// by default), taken of the real page while `evlog serve` follows two files that two generators
// write, in a fresh directory (so the files have short names). Needs the build (`npm run build`),
// the dev dependencies and Chromium (EVLOG_CHROMIUM, else /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'evlog.js');
const out = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'live-view.png'));
const dir = mkdtempSync(path.join(tmpdir(), 'evlog-screenshot-'));
const children = [];

function run(args) {
  // The merged stream's index goes in the same throwaway directory, not in the user's state.
  const env = { ...process.env, EVLOG_STATE_DIR: path.join(dir, 'state') };
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return child;
}

/** The URL the server says it serves on, from its start-up line. */
function served(child) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      const url = /on (http:\/\/\S+)$/.exec(line)?.[1];
      if (url) resolve(url);
    });
    child.on('exit', (code) => reject(new Error(`evlog serve exited (${code})`)));
  });
}

let browser;
try {
  run(['generate', '-r', '12', '-s', '40', '-e', 'impression,impression,click,buy', 'api.log']);
  run(['generate', '-r', '6', '-s', '40', '-e', 'signup,login,error', 'web.log']);
  const url = await served(run(['serve', '-p', '0', 'api.log', 'web.log']));
  browser = await chromium.launch({ executablePath: process.env.EVLOG_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 640 }, colorScheme: 'light' });
  await page.goto(`${url}/?tail=0`);
  // Enough seconds for the chart to show rates, not a first step.
  await page.waitForFunction(() => Number(document.getElementById('rate')?.dataset.rate) > 0, undefined, { timeout: 20_000 });
  await page.waitForTimeout(12_000);
  await page.screenshot({ path: out });
  process.stderr.write(`evlog: wrote ${out}\n`);
} finally {
  await browser?.close();
  // Only the processes started here, by their PID.
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
  rmSync(dir, { recursive: true, force: true });
}
