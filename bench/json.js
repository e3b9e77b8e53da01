// JSON-bearing lines against plain ones, in the same run: server CPU per line and lines/s over
// ndjson, SSE and WebSocket for 200 B plain lines, 200 B text events with a JSON payload and winston
// JSON lines; and `evlog listen` → stdout of winston JSON lines. BENCH_BASELINE_BIN=<other
// checkout>/bin/evlog.js adds the same rows for that build, interleaved in the same run.
import { listener } from './listener.js';
import { BIN, median } from './lib.js';
import { runOnce } from './throughput.js';

const KINDS = [['plain', 200], ['payload', 200], ['winston', 0]];

export async function jsonLines({ runs = 3, total = 200_000, formats = ['ndjson', 'sse', 'ws'] } = {}) {
  const results = [];
  for (const format of formats) {
    const builds = process.env.BENCH_BASELINE_BIN ? [['evlog', ''], [process.env.BENCH_BASELINE_BIN, 'baseline build ']] : [['evlog', '']];
    const runsOf = {};
    // Interleaved, so that a change in the machine's load falls on every kind alike.
    for (let r = 0; r < runs; r++) {
      for (const [kind, size] of KINDS) for (const [bin, label] of builds) (runsOf[label + kind] ??= []).push(await runOnce(bin, format, total, size, '', kind));
    }
    const cpuPerLine = (rs) => median(rs.map((x) => (x.cpuSeconds * 1e6) / total));
    for (const [kind] of KINDS) for (const [, label] of builds) {
      const rs = runsOf[label + kind];
      const plain = cpuPerLine(runsOf[`${label}plain`]);
      results.push({
        scenario: 'json', transport: format, kind: label + kind, lines: total, lineBytes: Math.round(rs[0].bytes / total),
        linesPerSec: median(rs.map((x) => x.linesPerSec)), cpuMicrosPerLine: cpuPerLine(rs), ratioToPlain: cpuPerLine(rs) / plain,
        exact: rs.every((x) => x.exact), errors: rs.map((x) => x.error).filter(Boolean),
      });
    }
  }
  // The listener, one run at a time of each build, interleaved like the rows above.
  const listeners = process.env.BENCH_BASELINE_BIN ? [[BIN, ''], [process.env.BENCH_BASELINE_BIN, ', baseline build']] : [[BIN, '']];
  const rates = {};
  const cpu = {};
  for (let r = 0; r < runs; r++) {
    for (const [bin, label] of listeners) {
      const [run] = await listener({ runs: 1, kind: 'winston', bin, callback: false });
      (rates[label] ??= []).push(run.eventsPerSec);
      (cpu[label] ??= []).push(run.cpuMicrosPerLine);
    }
  }
  for (const [, label] of listeners) results.push({ scenario: 'listen', mode: `stdout, winston JSON lines${label}`, lines: 1_000_000, eventsPerSec: median(rates[label]), cpuMicrosPerLine: median(cpu[label]) });
  return results;
}
