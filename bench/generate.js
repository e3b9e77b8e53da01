// Generator throughput: `evlog generate -r 0 -n N` against a bare winston loop writing the same
// lines, alternated, median of RUNS, each in its own process and its own file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'evlog.js');
const count = Number(process.env.BENCH_COUNT ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);

function timeRun(args, file) {
  const start = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}`);
  const lines = readFileSync(file, 'utf8').split('\n').length - 1;
  if (lines !== count) throw new Error(`${file}: expected ${count} lines, found ${lines}`);
  return count / seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
const evlog = [];
const bare = [];
try {
  for (let i = 0; i < runs; i++) {
    const a = path.join(dir, `bare-${i}.log`);
    bare.push(timeRun([path.join(here, 'bare-winston.js'), a, String(count)], a));
    const b = path.join(dir, `evlog-${i}.log`);
    evlog.push(timeRun([bin, 'generate', '-r', '0', '-n', String(count), b], b));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const result = { count, runs, evlogLinesPerSec: median(evlog), bareWinstonLinesPerSec: median(bare) };
result.ratio = result.evlogLinesPerSec / result.bareWinstonLinesPerSec;
console.log(`generate -r 0 -n ${count}: evlog ${Math.round(result.evlogLinesPerSec)} lines/s, bare winston ${Math.round(result.bareWinstonLinesPerSec)} lines/s, ratio ${result.ratio.toFixed(2)} (target >= 0.80)`);
