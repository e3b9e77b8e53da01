// The live view under load: Debian's Chromium (playwright-core) on `evlog serve` while
// `evlog generate` appends at 10,000 lines/s. The baseline is the same page, idle, in the same run.
// Frame intervals come from requestAnimationFrame, long tasks and interactions from the page's own
// PerformanceObserver; typing into the filter during the load is the interaction measured.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, fmt, median, startServe } from './lib.js';

const CHROMIUM = process.env.EVLOG_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Runs in the page: records every frame interval, long task and slow interaction from now on. */
function instrument() {
  const probe = { frames: [], longTasks: [], interactions: [] };
  let last = performance.now();
  const frame = (t) => {
    probe.frames.push(t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => list.getEntries().forEach((e) => probe.longTasks.push(e.duration))).observe({ type: 'longtask' });
  new PerformanceObserver((list) => list.getEntries().forEach((e) => probe.interactions.push(e.duration))).observe({ type: 'event', durationThreshold: 16 });
  window.__probe = probe;
}

/** Takes what the probe gathered since the last call. */
const collect = (page) =>
  page.evaluate(() => {
    const p = window.__probe;
    const out = { frames: p.frames.splice(0), longTasks: p.longTasks.splice(0), interactions: p.interactions.splice(0) };
    return { ...out, heapMb: performance.memory ? performance.memory.usedJSHeapSize / 2 ** 20 : NaN };
  });

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
};

async function once({ rate, seconds }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  const file = path.join(dir, 'event.log');
  writeFileSync(file, '');
  const server = await startServe(file);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 700 } })).newPage();
    await page.goto(`${server.url}/?tail=0`);
    await page.waitForFunction(() => document.querySelector('#state')?.getAttribute('data-state') === 'live');
    await page.evaluate(instrument);

    // Baseline: the same page with nothing arriving.
    await page.waitForTimeout(seconds * 1000);
    const idle = await collect(page);

    const total = rate * seconds;
    const writer = spawn(process.execPath, [BIN, 'generate', '-r', String(rate), '-n', String(total), '-e', 'impression,click,buy,signup', file], { stdio: 'ignore' });
    const written = new Promise((resolve) => writer.on('exit', resolve));
    // A person using the page meanwhile: type a filter, clear it, pause and resume.
    await page.waitForTimeout(1000);
    await page.locator('#filter').pressSequentially('impr', { delay: 150 });
    await page.waitForTimeout(1000);
    await page.locator('#filter').fill('');
    await page.click('#pause');
    await page.waitForTimeout(500);
    await page.click('#pause');
    await written;
    const writerDone = Date.now();
    await page.waitForFunction((n) => Number(document.querySelector('#counts')?.getAttribute('data-received')) >= n, total, { timeout: 60_000, polling: 20 });
    const lagMs = Date.now() - writerDone;
    const load = await collect(page);
    const rows = await page.locator('#lines .row').count();
    const received = Number(await page.locator('#counts').getAttribute('data-received'));
    return {
      idleFrameP50: quantile(idle.frames, 0.5), idleFrameP95: quantile(idle.frames, 0.95),
      frameP50: quantile(load.frames, 0.5), frameP95: quantile(load.frames, 0.95), frameMax: Math.max(...load.frames),
      longTaskMs: load.longTasks.reduce((a, b) => a + b, 0), slowestInteractionMs: Math.max(0, ...load.interactions),
      lagMs, rows, received, exact: received === total, heapMb: load.heapMb,
    };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function browserView({ runs = 3, rate = 10_000, seconds = 10 } = {}) {
  if (!existsSync(CHROMIUM)) return [{ scenario: 'browser', skipped: `no Chromium at ${CHROMIUM} (apt-get install chromium)` }];
  const all = [];
  for (let i = 0; i < runs; i++) all.push(await once({ rate, seconds }));
  const med = (key) => median(all.map((r) => r[key]));
  return [{
    scenario: 'browser', rate, seconds,
    ...Object.fromEntries(Object.keys(all[0]).filter((k) => typeof all[0][k] === 'number').map((k) => [k, med(k)])),
    exact: all.every((r) => r.exact),
  }];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [r] = await browserView({ runs: Number(process.env.BENCH_RUNS ?? 1) });
  if (r.skipped) console.log(r.skipped);
  else console.log(`browser at ${fmt(r.rate)}/s: frames p50 ${fmt(r.frameP50, 1)} / p95 ${fmt(r.frameP95, 1)} / max ${fmt(r.frameMax)} ms (idle p95 ${fmt(r.idleFrameP95, 1)}), long tasks ${fmt(r.longTaskMs)} ms, slowest interaction ${fmt(r.slowestInteractionMs)} ms, lag ${fmt(r.lagMs)} ms, rows ${r.rows}, heap ${fmt(r.heapMb)} MB${r.exact ? '' : ' NOT EXACT'}`);
}
