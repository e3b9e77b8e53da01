// Scenario: clients holding regexes built to backtrack (`(a+)+$`, `^(.|.|.)*Z`) on the longest
// lines a filter reads (16 KB, where V8's linear engine takes milliseconds a line), and what that
// costs another client's delivery and /healthz; against the same run with a harmless pattern.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServe } from './lib.js';

const get = (url, onResponse) => http.get(url, onResponse).on('error', () => undefined);

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

async function once(patterns, rounds) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evlog-bench-'));
  const file = path.join(dir, 'hostile.log');
  writeFileSync(file, '');
  const server = await startServe(file);
  const held = patterns.map((p) => new Promise((resolve) => get(`${server.url}/stream?match=${encodeURIComponent(p)}`, (res) => resolve(res.resume()))));
  await Promise.all(held);
  const pending = new Map();
  const delivery = [];
  let buf = '';
  await new Promise((resolve) => get(`${server.url}/stream?match=%5EMARK`, (res) => {
    res.setEncoding('utf8').on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const sent = pending.get(line);
        if (sent !== undefined) delivery.push(performance.now() - sent);
        pending.delete(line);
      }
    });
    resolve();
  }));
  const health = [];
  for (let i = 0; i < rounds; i++) {
    appendFileSync(file, `${'a'.repeat(16 * 1024 - 1)}b\ns-1:${'a '.repeat(4000)}!\n${'a'.repeat(3000)}\n`);
    pending.set(`MARK${i}`, performance.now());
    appendFileSync(file, `MARK${i}\n`);
    const t = performance.now();
    await new Promise((resolve) => get(`${server.url}/healthz`, (res) => res.resume().on('end', resolve)));
    health.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 100));
  }
  const deadline = Date.now() + 5000;
  while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  return { patterns, rounds, delivery: summary(delivery), health: summary(health), missing: pending.size };
}

export async function hostileRegex({ rounds = 60 } = {}) {
  const control = await once(['zzz', 'zzzz'], rounds);
  const hostile = await once(['(a+)+$', '^(.|.|.)*Z'], rounds);
  return [control, hostile].map((r) => ({ scenario: 'hostile-regex', ...r }));
}
