// Scenarios 2 and 3: latency from append to receipt at a steady rate (one write(2) per line), for
// one client per transport and for a crowd of WebSocket clients (fan-out).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { cpuSeconds, fmt, memory, startRelay, startServe } from './lib.js';

/**
 * Counts `<ns> <seq>` lines and checks each message ends at the expected sequence number, without
 * timing every line: a thousand clients parsing every line would measure the benchmark process.
 */
function counter() {
  let expected = 0;
  let error;
  let messages = 0;
  const lines = (text) => {
    messages++;
    let n = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
    if (!text.endsWith('\n')) n++;
    expected += n;
    const last = text.trimEnd();
    const seq = Number(last.slice(last.lastIndexOf(' ') + 1));
    if (seq !== expected - 1 && !error) error = `expected ${expected - 1}, got ${seq}`;
  };
  return { latencies: [], get expected() { return expected; }, get error() { return error; }, get messages() { return messages; }, message: lines, chunk: lines };
}

/** Collects `now - timestamp` for every `<ns> <seq>` line, and checks the sequence. */
function recorder() {
  const latencies = [];
  let expected = 0;
  let error;
  let carry = '';
  const lines = (text) => {
    const now = process.hrtime.bigint();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const [ts, seq] = line.split(' ');
      if (Number(seq) !== expected && !error) error = `expected ${expected}, got ${seq}`;
      expected++;
      latencies.push(Number(now - BigInt(ts)) / 1e6);
    }
  };
  return {
    latencies,
    get expected() { return expected; },
    get error() { return error; },
    chunk(data) {
      const text = carry + data;
      const end = text.lastIndexOf('\n') + 1;
      carry = text.slice(end);
      lines(text.slice(0, end));
    },
    message: lines,
  };
}

function connect(url, transport, rec) {
  return new Promise((resolve, reject) => {
    if (transport === 'ws') {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?format=text`, { perMessageDeflate: false });
      ws.on('message', (d) => rec.message(d.toString()));
      ws.on('open', () => resolve(() => ws.terminate()));
      ws.on('error', reject);
    } else {
      const req = request(url.endsWith('/stream') ? url : `${url}/stream`, { agent: false }, (res) => {
        res.setEncoding('latin1');
        res.on('data', (d) => rec.chunk(d));
        resolve(() => req.destroy());
      });
      req.on('error', reject);
      req.end();
    }
  });
}

export function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

async function withWriter(file, rate, seconds) {
  const writer = spawn(process.execPath, [path.join(import.meta.dirname, 'latency-writer.js'), file, String(rate), String(seconds)], { stdio: 'inherit' });
  await new Promise((resolve) => writer.on('exit', resolve));
}

async function waitFor(check, ms) {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** One client per transport at `rate` lines/s; `relay` is the Node `tail -F` relay baseline. */
export async function latency({ rates = [1000, 10_000], seconds = 5, transports = ['relay', 'text', 'ws'] } = {}) {
  const results = [];
  for (const rate of rates) {
    for (const transport of transports) {
      const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
      const file = path.join(dir, 'event.log');
      writeFileSync(file, '');
      const server = transport === 'relay' ? await startRelay(file) : await startServe(file);
      try {
        const rec = recorder();
        const close = await connect(server.url, transport, rec);
        // The relay's tail is a separate process that needs a moment to start following.
        if (transport === 'relay') await new Promise((r) => setTimeout(r, 300));
        await withWriter(file, rate, seconds);
        const total = Math.round(rate * seconds);
        await waitFor(() => rec.expected >= total, 10_000);
        close();
        results.push({ scenario: 'latency', rate, transport, ...percentiles(rec.latencies), exact: !rec.error && rec.expected === total });
      } finally {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return results;
}

/**
 * `clients` WebSocket clients at `rate` lines/s: every client must get every line (checked by
 * all), latency timed on `timed` of them.
 */
export async function fanOut({ clients = Number(process.env.BENCH_FANOUT_CLIENTS ?? 1000), rate = 1000, seconds = 10, timed = 20 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  const file = path.join(dir, 'event.log');
  writeFileSync(file, '');
  const server = await startServe(file);
  try {
    const recs = [];
    const closers = [];
    for (let i = 0; i < clients; i++) {
      const rec = i < timed ? recorder() : counter();
      recs.push(rec);
      closers.push(await connect(server.url, 'ws', rec));
    }
    const cpuBefore = cpuSeconds(server.pid);
    // The clients share this process: its CPU says whether they, not the server, set the pace.
    const clientCpuBefore = process.cpuUsage();
    await withWriter(file, rate, seconds);
    const total = Math.round(rate * seconds);
    await waitFor(() => recs.every((r) => r.expected >= total), 30_000);
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    closers.forEach((close) => close());
    const all = recs.flatMap((r) => r.latencies);
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const counted = recs.slice(timed);
    return [{
      scenario: 'fan-out', clients, rate, seconds, ...percentiles(all),
      complete: recs.filter((r) => r.expected === total && !r.error).length,
      serverPeakRssMb: memory(server.pid) / 2 ** 20, serverCpuSeconds: cpu,
      clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
      messagesPerClient: counted.reduce((sum, r) => sum + r.messages, 0) / Math.max(1, counted.length),
    }];
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await latency()) console.log(`latency ${fmt(r.rate)}/s ${r.transport}: p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, max ${fmt(r.max, 2)} ms${r.exact ? '' : ' NOT EXACT'}`);
  for (const r of await fanOut()) console.log(`fan-out ${r.clients} ws at ${r.rate}/s: p99 ${fmt(r.p99, 1)} ms, ${r.complete}/${r.clients} complete, RSS ${fmt(r.serverPeakRssMb)} MB, CPU ${fmt(r.serverCpuSeconds, 1)} s`);
}
