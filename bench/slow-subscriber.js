// A client stops reading while BENCH_BACKLOG_MB (default 300) are appended, then resumes: the
// server's peak RSS and whether every line arrived exactly once, in order.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fmt, memory, startServe } from './lib.js';

export async function slowSubscriber({ backlogMb = Number(process.env.BENCH_BACKLOG_MB ?? 300) } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  const file = path.join(dir, 'event.log');
  writeFileSync(file, '');
  const server = await startServe(file);
  try {
    const pad = 'x'.repeat(90);
    const total = Math.round((backlogMb * 1024 * 1024) / 100);
    let expected = 0;
    let partial = '';
    let bad;
    let res;
    await new Promise((resolve) => request(`${server.url}/stream`, (r) => ((res = r), resolve())).end());
    res.setEncoding('latin1');
    res.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        if (!bad && line !== `${expected} ${pad}`) bad = `line ${expected}: ${line.slice(0, 30)}`;
        expected++;
      }
    });
    res.pause();
    const baseline = memory(server.pid, 'VmRSS');
    for (let i = 0; i < total; i += 20_000) {
      let text = '';
      for (let j = i; j < Math.min(total, i + 20_000); j++) text += `${j} ${pad}\n`;
      appendFileSync(file, text);
    }
    const whileLagging = memory(server.pid, 'VmHWM');
    const started = performance.now();
    res.resume();
    const deadline = Date.now() + 300_000;
    while (expected < total && !bad && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const seconds = (performance.now() - started) / 1000;
    const result = {
      backlogMb,
      lines: total,
      received: expected,
      exact: !bad && expected === total,
      error: bad,
      baselineRssMb: baseline / 2 ** 20,
      peakRssWhileLaggingMb: whileLagging / 2 ** 20,
      peakRssMb: memory(server.pid, 'VmHWM') / 2 ** 20,
      catchUpMbPerSec: backlogMb / seconds,
    };
    res.destroy();
    return result;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await slowSubscriber();
  console.log(`slow subscriber, ${r.backlogMb} MB backlog: server RSS ${fmt(r.baselineRssMb)} MB at start, peak ${fmt(r.peakRssWhileLaggingMb)} MB while lagging, ` +
    `${fmt(r.peakRssMb)} MB overall (target <= 100); catch-up ${fmt(r.catchUpMbPerSec)} MB/s; ${r.exact ? 'every line exactly once' : `NOT EXACT: ${r.error} (${r.received}/${r.lines})`}`);
}
