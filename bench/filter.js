// Scenario: a stream filtered on the server (`match=`, with and without `ignore_case=1`), against
// the same stream from a baseline server in the same run: by default this build with V8's plain
// RegExp engine (bench/plain-regex-serve.js); BENCH_BASELINE_BIN=/other/checkout/bin/evlog.js
// compares with another build instead (e.g. the one before linear-time filtering).
import path from 'node:path';
import { median, ROOT } from './lib.js';
import { runOnce } from './throughput.js';

// Every benchmark line matches, so the client still checks every sequence number while the
// server tests every line.
const PATTERN = encodeURIComponent('^\\d{10} x');
const cases = [
  { label: 'match', query: `&match=${PATTERN}` },
  { label: 'match, ignore_case', query: `&match=${PATTERN}&ignore_case=1` },
];

export async function filtered({ runs = 3, sizes = [[1_000_000, 22], [200_000, 200]] } = {}) {
  const baselineBin = process.env.BENCH_BASELINE_BIN;
  const baseline = baselineBin ? path.resolve(baselineBin) : path.join(ROOT, 'bench', 'plain-regex-serve.js');
  const baselineName = baselineBin ? 'baseline build' : 'plain RegExp';
  const results = [];
  for (const [total, size] of sizes) {
    for (const { label, query } of cases) {
      const ours = [];
      const theirs = [];
      for (let r = 0; r < runs; r++) {
        theirs.push(await runOnce(baseline, 'ndjson', total, size, query));
        ours.push(await runOnce('evlog', 'ndjson', total, size, query));
      }
      const rate = median(ours.map((x) => x.linesPerSec));
      const baseRate = median(theirs.map((x) => x.linesPerSec));
      results.push({
        scenario: 'filter', label, lines: total, lineBytes: size, linesPerSec: rate, baselineLinesPerSec: baseRate, baselineName,
        ratio: rate / baseRate, exact: [...ours, ...theirs].every((x) => x.exact), errors: [...ours, ...theirs].map((x) => x.error).filter(Boolean),
      });
    }
  }
  return results;
}
