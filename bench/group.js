// Scenario: Redis consumer groups. Throughput of 1, 2 and 4 `evlog listen --group` consumers with a
// no-op callback against as many bare node-redis XREADGROUP/XACK loops (bench/bare-group.js), on
// the same stream in the same run; and how long after a consumer's kill -9 its pending events are
// handled by another, against --claim-idle. Needs redis-server (skipped with a message without it).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@redis/client';
import { BIN, cpuSeconds, median, ROOT, stopChild } from './lib.js';

const REDIS_SERVER = process.env.EVLOG_REDIS_SERVER ?? 'redis-server';
const NOOP = path.join(import.meta.dirname, 'noop-callback.mjs');
const HANGS = path.join(ROOT, 'fixtures', 'callbacks', 'hangs.mjs');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function startRedis(dir) {
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`redis-server exited ${code}`)));
  });
  return { child, url: `redis://127.0.0.1:${port}` };
}

const until = async (check, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('bench: timed out waiting for the consumers');
    await new Promise((r) => setTimeout(r, 5));
  }
};

async function fill(client, key, events) {
  for (let i = 0; i < events; i += 2000) {
    const n = Math.min(2000, events - i);
    await Promise.all(Array.from({ length: n }, (_, j) => client.sendCommand(['XADD', key, '*', 'line', `s${(i + j) % 97}:impression`, 'id', String(i + j)])));
  }
}

async function waitingIn(client, command, n) {
  await until(async () => (await client.sendCommand(['CLIENT', 'LIST'])).split('\n').filter((c) => c.includes(`cmd=${command}`)).length >= n);
}

async function groupState(client, key, group) {
  const groups = await client.sendCommand(['XINFO', 'GROUPS', key]);
  const g = groups.map((x) => (Array.isArray(x) ? Object.fromEntries(x.flatMap((v, i, a) => (i % 2 ? [] : [[v, a[i + 1]]]))) : x)).find((x) => x.name === group);
  return { lag: Number(g.lag), pending: Number(g.pending) };
}

/**
 * One run: `consumers` processes join an empty group and wait in XREADGROUP; the group is then moved
 * to the start of a stream of `events` entries (XGROUP SETID) and one more entry wakes them; the
 * clock runs from there until every entry is acknowledged. Process start-up is not measured.
 */
async function groupRun(client, url, { kind, consumers, events, run }) {
  const key = `bench:${kind}:${consumers}:${run}`;
  const group = 'g';
  await fill(client, key, events - 1);
  await client.sendCommand(['XGROUP', 'CREATE', key, group, '$']);
  const children = Array.from({ length: consumers }, (_, i) => {
    const args = kind === 'evlog'
      ? [BIN, 'listen', url, '--stream', key, '--group', group, '--consumer', `c${i}`, '-c', NOOP]
      : [path.join(import.meta.dirname, 'bare-group.js'), url, key, group, `c${i}`];
    return spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  });
  try {
    await waitingIn(client, 'xreadgroup', consumers);
    const cpuBefore = children.reduce((sum, c) => sum + cpuSeconds(c.pid), 0);
    const start = performance.now();
    await client.sendCommand(['XGROUP', 'SETID', key, group, '0']);
    await client.sendCommand(['XADD', key, '*', 'line', 'wake:up']);
    await until(async () => {
      const s = await groupState(client, key, group);
      return s.lag === 0 && s.pending === 0;
    });
    const seconds = (performance.now() - start) / 1000;
    // CPU the consumers spent on the events: the machine's other load changes it little, unlike time.
    const cpu = children.reduce((sum, c) => sum + cpuSeconds(c.pid), 0) - cpuBefore;
    return { rate: events / seconds, cpuMicrosPerEvent: (cpu / events) * 1e6 };
  } finally {
    await Promise.all(children.map(stopChild));
    await client.sendCommand(['DEL', key]);
  }
}

/** A consumer holds a batch (its callback never ends) and is killed -9; another takes the batch over. */
async function claimRun(client, url, claimIdleMs, run) {
  const key = `bench:claim:${claimIdleMs}:${run}`;
  const flags = ['--stream', key, '--group', 'g', '--from', 'start', '--claim-idle', String(claimIdleMs)];
  await fill(client, key, 100);
  const victim = spawn(process.execPath, [BIN, 'listen', url, ...flags, '--consumer', 'victim', '-c', HANGS], { stdio: 'ignore' });
  let other;
  try {
    // NOGROUP until the victim has created the group.
    await until(async () => (await client.sendCommand(['XPENDING', key, 'g', '-', '+', '200', 'victim']).catch(() => [])).length === 100);
    other = spawn(process.execPath, [BIN, 'listen', url, ...flags, '--consumer', 'other', '-c', NOOP], { stdio: 'ignore' });
    // The victim waits on its callback, the other in XREADGROUP.
    await waitingIn(client, 'xreadgroup', 1);
    const killed = performance.now();
    victim.kill('SIGKILL');
    await until(async () => (await groupState(client, key, 'g')).pending === 0, claimIdleMs * 10);
    return performance.now() - killed;
  } finally {
    victim.kill('SIGKILL');
    if (other) await stopChild(other);
    await client.sendCommand(['DEL', key]);
  }
}

export async function consumerGroups({ runs = 3, events = 200_000 } = {}) {
  if (spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status !== 0) {
    return [{ scenario: 'group', skipped: `skipped: ${REDIS_SERVER} not found (apt-get install redis-server)` }];
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  const redis = await startRedis(dir);
  // No command timeout: on a loaded machine a reply can take longer than node-redis's default 5 s.
  const client = createClient({ url: redis.url, commandOptions: { timeout: 0 } });
  await client.connect();
  const results = [];
  try {
    for (const consumers of [1, 2, 4]) {
      const rates = { evlog: [], bare: [] };
      const cpu = { evlog: [], bare: [] };
      for (let run = 0; run < runs; run++) {
        for (const kind of ['bare', 'evlog']) {
          const r = await groupRun(client, redis.url, { kind, consumers, events, run });
          rates[kind].push(r.rate);
          cpu[kind].push(r.cpuMicrosPerEvent);
        }
      }
      const evlog = median(rates.evlog);
      const bare = median(rates.bare);
      results.push({ scenario: 'group', consumers, events, eventsPerSec: evlog, bareEventsPerSec: bare, ratio: evlog / bare, cpuMicrosPerEvent: median(cpu.evlog), bareCpuMicrosPerEvent: median(cpu.bare) });
    }
    for (const claimIdleMs of [1000, 3000]) {
      const latencies = [];
      for (let run = 0; run < runs; run++) latencies.push(await claimRun(client, redis.url, claimIdleMs, run));
      results.push({ scenario: 'group-claim', claimIdleMs, latencyMs: median(latencies), maxLatencyMs: Math.max(...latencies) });
    }
  } finally {
    client.destroy();
    await stopChild(redis.child);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
