// Scenario: the Redis mirror (`serve FILE --redis URL`), lines/s from the file into the stream,
// against a bare node-redis loop of pipelined XADD batches carrying the same fields, in the same
// run, on the same redis-server. Skipped with a message when redis-server is not installed.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@redis/client';
import { median, startServe } from './lib.js';

const LINES = 300_000;
const BATCH = 1000;
const REDIS = process.env.EVLOG_REDIS_SERVER ?? 'redis-server';

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis(dir) {
  const port = await freePort();
  const child = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d).includes('Ready to accept connections') && resolve());
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

const lineOf = (i) => `s-${(i % 1000).toString(16).padStart(8, '0')}:impression`;

/** The mirror: a server on an empty file, then every line appended at once; time until the stream holds them all. */
async function mirrorRun(url, client, dir, run) {
  const file = path.join(dir, `m${run}.log`);
  writeFileSync(file, '');
  const key = `evlog:${file}`;
  const server = await startServe(file, ['--redis', url]);
  try {
    let text = '';
    for (let i = 0; i < LINES; i++) text += `${lineOf(i)}\n`;
    const start = performance.now();
    appendFileSync(file, text);
    while ((await client.xLen(key)) < LINES) await new Promise((r) => setTimeout(r, 5));
    const seconds = (performance.now() - start) / 1000;
    const [[, last]] = await client.sendCommand(['XREVRANGE', key, '+', '-', 'COUNT', '1']);
    const exact = (await client.xLen(key)) === LINES && last[last.indexOf('line') + 1] === lineOf(LINES - 1);
    return { linesPerSec: LINES / seconds, exact };
  } finally {
    await server.stop();
    await client.del(key);
  }
}

/** The baseline: the same entries (fields made before the clock starts), XADD pipelined a batch at a time. */
async function bareRun(client, run) {
  const key = `bare:${run}`;
  const entries = [];
  for (let i = 0; i < LINES; i++) {
    const line = lineOf(i);
    const colon = line.indexOf(':');
    entries.push(['line', line, 'id', `2.1e68.1bawd-1ufivpg-${(i * 22).toString(36)}`, 'file', 'event.log', 'session', line.slice(0, colon), 'event', line.slice(colon + 1)]);
  }
  const start = performance.now();
  for (let i = 0; i < LINES; i += BATCH) {
    const pipeline = client.multi();
    for (const fields of entries.slice(i, i + BATCH)) pipeline.addCommand(['XADD', key, 'MAXLEN', '~', '1000000', '*', ...fields]);
    await pipeline.execAsPipeline();
  }
  const seconds = (performance.now() - start) / 1000;
  const exact = (await client.xLen(key)) === LINES;
  await client.del(key);
  return { linesPerSec: LINES / seconds, exact };
}

export async function redisMirror({ runs }) {
  if (spawnSync(REDIS, ['--version'], { stdio: 'ignore' }).status !== 0) {
    return [{ scenario: 'redis-mirror', skipped: `skipped: ${REDIS} not found (apt-get install redis-server)` }];
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  const redis = await startRedis(dir);
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const mirror = [];
    const bare = [];
    for (let run = 0; run < runs; run++) {
      bare.push(await bareRun(client, run));
      mirror.push(await mirrorRun(redis.url, client, dir, run));
    }
    const m = median(mirror.map((r) => r.linesPerSec));
    const b = median(bare.map((r) => r.linesPerSec));
    return [{ scenario: 'redis-mirror', lines: LINES, mirrorLinesPerSec: m, bareLinesPerSec: b, ratio: m / b, exact: [...mirror, ...bare].every((r) => r.exact) }];
  } finally {
    client.destroy();
    redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
