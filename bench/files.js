// Thousands of files. 10,000 idle files: the server's start-up time, open descriptors, RSS and CPU
// over an idle window (BENCH_IDLE_SECONDS, 60 by default), against a server of one file measured
// over the same window. 1,000 files with 1,000 lines/s spread over them and one client of the
// merged stream: delay from append to receipt and server CPU per line, against one file at the
// same rate. Each figure is the median of BENCH_RUNS runs.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { percentiles } from './latency.js';
import { cpuSeconds, lineChunks, median, memory, startServe } from './lib.js';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const SETTLE_MS = 5000;

/** A directory of `n` files `app-<i>.log` holding one line each, and a state directory beside. */
function filesIn(n) {
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  for (const sub of ['logs', 'state']) mkdirSync(path.join(dir, sub));
  for (let i = 0; i < n; i++) writeFileSync(path.join(dir, 'logs', `app-${i}.log`), `start ${i}\n`);
  return { dir, logs: path.join(dir, 'logs'), state: path.join(dir, 'state'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `evlog serve 'logs/*.log'` (a glob, so one file and 10,000 are the same kind of server: a
 * merged stream), timed from spawn to listening. `plain`: the one file served by its path, with no
 * merged stream (the baseline of what the merged stream adds).
 */
async function serve(files, plain = false) {
  const started = performance.now();
  const server = plain ? await startServe(path.join(files.logs, 'app-0.log')) : await startServe(path.join(files.logs, '*.log'), ['--state-dir', files.state]);
  return { ...server, startMs: performance.now() - started };
}

const fds = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One run of the idle row: both servers over the same window. */
async function idleRun(many, one) {
  const big = await serve(many);
  const small = await serve(one);
  try {
    // Idle means after start-up: the files' descriptors closed, what starting left collected.
    await sleep(SETTLE_MS);
    const before = [cpuSeconds(big.pid), cpuSeconds(small.pid)];
    await sleep(IDLE_SECONDS * 1000);
    const cpu = [cpuSeconds(big.pid) - before[0], cpuSeconds(small.pid) - before[1]];
    return {
      startMs: big.startMs, baseStartMs: small.startMs,
      fds: fds(big.pid), baseFds: fds(small.pid),
      rssMb: memory(big.pid, 'VmRSS') / 2 ** 20, baseRssMb: memory(small.pid, 'VmRSS') / 2 ** 20,
      cpuPercent: (cpu[0] / IDLE_SECONDS) * 100, baseCpuPercent: (cpu[1] / IDLE_SECONDS) * 100,
    };
  } finally {
    await Promise.all([big.stop(), small.stop()]);
  }
}

export async function idleFiles({ runs = 3, n = 10_000 } = {}) {
  const many = filesIn(n);
  const one = filesIn(1);
  try {
    const all = [];
    for (let i = 0; i < runs; i++) all.push(await idleRun(many, one));
    const med = Object.fromEntries(Object.keys(all[0]).map((k) => [k, median(all.map((r) => r[k]))]));
    return [{ scenario: 'files-idle', files: n, seconds: IDLE_SECONDS, ...med }];
  } finally {
    many.remove();
    one.remove();
  }
}

/** Latency of every `<ns> <seq>` line received, and whether each of `total` came exactly once. */
function receiver(total) {
  const seen = new Uint8Array(total);
  const latencies = [];
  const lines = lineChunks();
  let received = 0;
  let wrong = 0;
  return {
    latencies,
    get received() { return received; },
    get exact() { return wrong === 0 && received === total; },
    chunk(data) {
      const now = process.hrtime.bigint();
      for (const line of lines(data)) {
        if (!line) continue;
        const [ts, seqText] = line.split(' ');
        const seq = Number(seqText);
        // The files' first lines (`start <i>`) are not the writer's.
        if (ts === 'start') continue;
        if (!(seq >= 0 && seq < total) || seen[seq]++) wrong++;
        received++;
        latencies.push(Number(now - BigInt(ts)) / 1e6);
      }
    },
  };
}

function stream(url, rec) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/stream?format=text`, { agent: false }, (res) => {
      res.setEncoding('latin1');
      res.on('data', (d) => rec.chunk(d));
      resolve(() => req.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}

async function spreadRun(n, rate, seconds, plain) {
  const files = filesIn(n);
  const server = await serve(files, plain);
  try {
    const total = Math.round(rate * seconds);
    const rec = receiver(total);
    const close = await stream(server.url, rec);
    const cpuBefore = cpuSeconds(server.pid);
    const writer = spawn(process.execPath, [path.join(import.meta.dirname, 'spread-writer.js'), files.logs, String(n), String(rate), String(seconds)], { stdio: 'inherit' });
    await new Promise((resolve) => writer.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (rec.received < total && Date.now() < deadline) await sleep(20);
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    close();
    return { ...percentiles(rec.latencies), cpuMicrosPerLine: (cpu / total) * 1e6, fds: fds(server.pid), exact: rec.exact };
  } finally {
    await server.stop();
    files.remove();
  }
}

/**
 * One file served alone (the baseline), the same file as a glob's one match (a merged stream) and
 * `n` files, each run of the three in turn so that they share the machine's load.
 */
export async function spreadFiles({ runs = 3, n = 1000, rate = 1000, seconds = 10 } = {}) {
  const kinds = [{ files: 1, plain: true }, { files: 1, plain: false }, { files: n, plain: false }];
  const all = kinds.map(() => []);
  for (let i = 0; i < runs; i++) for (const [k, { files, plain }] of kinds.entries()) all[k].push(await spreadRun(files, rate, seconds, plain));
  const results = kinds.map(({ files, plain }, k) => {
    const med = (key) => median(all[k].map((r) => r[key]));
    return { scenario: 'files-spread', files, merged: !plain, rate, seconds, p50: med('p50'), p99: med('p99'), max: med('max'), cpuMicrosPerLine: med('cpuMicrosPerLine'), fds: med('fds'), exact: all[k].every((r) => r.exact) };
  });
  const base = results[0];
  for (const r of results) Object.assign(r, { p50Ratio: r.p50 / base.p50, p99Ratio: r.p99 / base.p99, cpuRatio: r.cpuMicrosPerLine / base.cpuMicrosPerLine });
  return results;
}

