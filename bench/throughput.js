// Scenario 1: bulk appends of numbered lines, one client per transport, against the Node
// `tail -F` relay baseline and the `tail -F | wc -l` pipe limit, in the same run.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seqBlock, seqClient } from './clients.js';
import { cpuSeconds, fmt, median, memory, startRelay, startServe } from './lib.js';

const BLOCK = 100_000;

/** The whole payload, built before the clock starts so building it is not measured. */
function payload(total, size, lineKind) {
  const blocks = [];
  for (let i = 0; i < total; i += BLOCK) blocks.push(Buffer.from(seqBlock(i, Math.min(BLOCK, total - i), size, lineKind)));
  return Buffer.concat(blocks);
}

/**
 * One run: a fresh file and server, a client, the bulk append, the time to the last line.
 * `kind`: 'relay', 'evlog', or the path of another server script or `bin/evlog.js` to start.
 * `lineKind`: the kind of numbered lines (clients.js).
 */
export async function runOnce(kind, format, total, size, query = '', lineKind = 'plain') {
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  const file = path.join(dir, 'event.log');
  writeFileSync(file, '');
  const server = kind === 'relay' ? await startRelay(file) : kind === 'evlog' ? await startServe(file) : await startServe(file, [], kind);
  try {
    const client = seqClient(server.url, format, total, query, lineKind);
    await client.ready;
    // Give the relay's tail a moment to start following (it is a separate process).
    if (kind === 'relay') await new Promise((r) => setTimeout(r, 300));
    const data = payload(total, size, lineKind);
    const cpuBefore = cpuSeconds(server.pid);
    const start = performance.now();
    appendFileSync(file, data);
    const timeout = new Promise((r) => setTimeout(r, 120_000, 'timeout'));
    const outcome = await Promise.race([client.done, timeout]);
    const seconds = (client.checker.lastAt - start) / 1000;
    const result = {
      linesPerSec: total / seconds,
      exact: outcome !== 'timeout' && !client.checker.error && client.checker.expected === total,
      bytes: data.length,
      error: outcome === 'timeout' ? `timeout at ${client.checker.expected}` : client.checker.error,
      cpuSeconds: cpuSeconds(server.pid) - cpuBefore,
      peakRssMb: memory(server.pid) / 2 ** 20,
    };
    client.close();
    return result;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `tail -n +1 -F file | wc -l` on a file that already holds the lines: the pipe limit. */
function pipeLimit(total, size) {
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  const file = path.join(dir, 'event.log');
  writeFileSync(file, payload(total, size));
  const start = performance.now();
  spawnSync('bash', ['-c', `tail -n +1 -F "${file}" 2>/dev/null | head -n ${total} | wc -l`], { stdio: 'ignore' });
  const seconds = (performance.now() - start) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return total / seconds;
}

export async function throughput({ runs = 3, cases = [[1_000_000, 22], [200_000, 200]], formats = ['text', 'ndjson', 'sse', 'ws'] } = {}) {
  const results = [];
  for (const [total, size] of cases) {
    const relay = [];
    const pipe = [];
    const byFormat = Object.fromEntries(formats.map((f) => [f, []]));
    for (let r = 0; r < runs; r++) {
      relay.push(await runOnce('relay', 'text', total, size));
      pipe.push(pipeLimit(total, size));
      for (const f of formats) byFormat[f].push(await runOnce('evlog', f, total, size));
    }
    const relayRate = median(relay.map((x) => x.linesPerSec));
    for (const f of formats) {
      const rs = byFormat[f];
      const rate = median(rs.map((x) => x.linesPerSec));
      results.push({
        scenario: 'throughput', lines: total, lineBytes: size, transport: f,
        linesPerSec: rate, ratioToRelay: rate / relayRate,
        cpuSecondsPer1M: median(rs.map((x) => (x.cpuSeconds * 1e6) / total)),
        peakRssMb: Math.max(...rs.map((x) => x.peakRssMb)),
        exact: rs.every((x) => x.exact), errors: rs.map((x) => x.error).filter(Boolean),
      });
    }
    results.push({ scenario: 'throughput-baseline', lines: total, lineBytes: size, relayLinesPerSec: relayRate, pipeLinesPerSec: median(pipe), relayExact: relay.every((x) => x.exact) });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await throughput({ runs: Number(process.env.BENCH_RUNS ?? 3) })) {
    if (r.scenario === 'throughput-baseline') {
      console.log(`baseline ${fmt(r.lines)} × ${r.lineBytes} B: node tail relay ${fmt(r.relayLinesPerSec)} lines/s, tail -F | wc ${fmt(r.pipeLinesPerSec)} lines/s`);
    } else {
      console.log(`${r.transport.padEnd(6)} ${fmt(r.lines)} × ${r.lineBytes} B: ${fmt(r.linesPerSec)} lines/s (${fmt(r.ratioToRelay, 2)}× relay), ${fmt(r.cpuSecondsPer1M, 2)} CPU-s/1M, RSS ${fmt(r.peakRssMb)} MB${r.exact ? '' : ` NOT EXACT ${r.errors}`}`);
    }
  }
}
