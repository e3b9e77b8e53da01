// Generator throughput: `evlog generate -r 0 -n N` against a bare winston loop writing the same
// lines, alternated, median of RUNS, each in its own process and its own file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'evlog.js');
function timeRun(args, file, count) {
  const start = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}`);
  const lines = readFileSync(file, 'utf8').split('\n').length - 1;
  if (lines !== count) throw new Error(`${file}: expected ${count} lines, found ${lines}`);
  return count / seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function generator({ count = 1_000_000, runs = 3 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  const evlog = [];
  const bare = [];
  try {
    for (let i = 0; i < runs; i++) {
      const a = path.join(dir, `bare-${i}.log`);
      bare.push(timeRun([path.join(here, 'bare-winston.js'), a, String(count)], a, count));
      const b = path.join(dir, `evlog-${i}.log`);
      evlog.push(timeRun([bin, 'generate', '-r', '0', '-n', String(count), b], b, count));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const result = { scenario: 'generate', count, evlogLinesPerSec: median(evlog), bareWinstonLinesPerSec: median(bare) };
  return [{ ...result, ratio: result.evlogLinesPerSec / result.bareWinstonLinesPerSec }];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [r] = generator({ runs: Number(process.env.BENCH_RUNS ?? 3) });
  console.log(`generate -r 0 -n ${r.count}: evlog ${Math.round(r.evlogLinesPerSec)} lines/s, bare winston ${Math.round(r.bareWinstonLinesPerSec)} lines/s, ratio ${r.ratio.toFixed(2)} (target >= 0.80)`);
}
