// Scenario "rotation under load": a writer at 10k lines/s renames its file every 100 ms for 10 s
// (bench/rotation-writer.js), while evlog (a text stream of `evlog serve`) and GNU `tail -F`
// follow it in the same run. Lines lost or duplicated, and the delay of the lines written in the
// 10 ms after each rotation (when a follower must find the new file), against all lines.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { percentiles } from './latency.js';
import { lineChunks, startServe, stopChild } from './lib.js';

const AROUND_NS = 10_000_000n;

/** Receives `<ns> <seq>` lines in chunks; keeps each line's delay and counts what came how often. */
function receiver(total) {
  const delays = new Float64Array(total).fill(NaN);
  const stamps = new Array(total);
  let duplicates = 0;
  let foreign = 0;
  let received = 0;
  const lines = lineChunks();
  return {
    chunk(data) {
      const now = process.hrtime.bigint();
      for (const line of lines(data)) {
        if (line === '') continue;
        const m = /^(\d+) (\d+)$/.exec(line);
        const seq = m ? Number(m[2]) : -1;
        if (!m || seq >= total) {
          foreign++;
          continue;
        }
        if (!Number.isNaN(delays[seq])) {
          duplicates++;
          continue;
        }
        received++;
        stamps[seq] = BigInt(m[1]);
        delays[seq] = Number(now - stamps[seq]) / 1e6;
      }
    },
    get received() {
      return received;
    },
    summary(rotations) {
      const all = [];
      const around = [];
      for (let seq = 0; seq < total; seq++) {
        if (Number.isNaN(delays[seq])) continue;
        all.push(delays[seq]);
        if (rotations.some((r) => stamps[seq] >= r && stamps[seq] - r < AROUND_NS)) around.push(delays[seq]);
      }
      const a = percentiles(around);
      return { lost: total - received, duplicates, foreign, all: percentiles(all), aroundP99: a.p99, aroundMax: a.max, aroundLines: around.length };
    },
  };
}

function streamEvlog(url, rec) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/stream`, { agent: false }, (res) => {
      res.setEncoding('latin1');
      res.on('data', (d) => rec.chunk(d));
      resolve(() => req.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}

function streamTail(file, rec) {
  const child = spawn('tail', ['-n', '+1', '-F', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  child.stdout.setEncoding('latin1').on('data', (d) => rec.chunk(d));
  return child;
}

async function waitFor(check, ms) {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

export async function rotationUnderLoad({ rate = 10_000, seconds = 10, everyMs = 100 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  const file = path.join(dir, 'event.log');
  writeFileSync(file, '');
  const total = Math.round(rate * seconds);
  const server = await startServe(file);
  const evlog = receiver(total);
  const tail = receiver(total);
  const closeEvlog = await streamEvlog(server.url, evlog);
  const tailChild = streamTail(file, tail);
  try {
    // tail is a separate process that needs a moment to start following.
    await new Promise((r) => setTimeout(r, 300));
    const writer = spawn(process.execPath, [path.join(import.meta.dirname, 'rotation-writer.js'), file, String(rate), String(seconds), String(everyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    writer.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    await new Promise((resolve) => writer.on('exit', resolve));
    const rotations = JSON.parse(out).map(BigInt);
    // A rotated file is drained until quiet for 5 s; the last lines need no more than that.
    await waitFor(() => evlog.received >= total && tail.received >= total, 10_000);
    return [
      { scenario: 'rotation', follower: 'evlog', rate, seconds, everyMs, total, rotations: rotations.length, ...evlog.summary(rotations) },
      { scenario: 'rotation', follower: 'tail -F', rate, seconds, everyMs, total, rotations: rotations.length, ...tail.summary(rotations) },
    ];
  } finally {
    closeEvlog();
    await Promise.all([server.stop(), stopChild(tailChild)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node bench/rotation.js`: this scenario alone, as JSON.
if (process.argv[1] === import.meta.filename) console.log(JSON.stringify(await rotationUnderLoad(), null, 2));
