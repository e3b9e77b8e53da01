// Scenario 5: `evlog listen` end to end from a file of 1M numbered lines, to /dev/null and with a
// no-op callback. Scenario 7: `evlog --help` against `node -e 0`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seqBlock } from './clients.js';
import { BIN, median, startServe } from './lib.js';

function timed(args, options = {}) {
  const start = performance.now();
  const res = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000, ...options });
  const seconds = (performance.now() - start) / 1000;
  if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  return seconds;
}

/**
 * `kind`: the kind of numbered lines (clients.js); plain 22 B lines unless told. `bin`: the evlog
 * build serving and listening; `callback: false` leaves out the no-op callback runs.
 */
export async function listener({ lines = 1_000_000, runs = 3, kind = 'plain', bin = BIN, callback: withCallback = true } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'evlog-bench-'));
  const file = path.join(dir, 'event.log');
  const blocks = [];
  for (let i = 0; i < lines; i += 100_000) blocks.push(seqBlock(i, Math.min(100_000, lines - i), 22, kind));
  writeFileSync(file, blocks.join(''));
  const server = await startServe(file, [], bin);
  try {
    const base = [bin, 'listen', server.url, '--from', 'start', '-n', String(lines)];
    const stdout = [];
    const cpu = [];
    const callback = [];
    // The listener's own CPU time, whatever the server's speed: written by the process as it exits.
    const cpuFile = path.join(dir, 'cpu');
    const measured = ['--import', path.join(import.meta.dirname, 'cpu-at-exit.mjs'), ...base];
    for (let r = 0; r < runs; r++) {
      stdout.push(lines / timed(measured, { env: { ...process.env, EVLOG_BENCH_CPU_FILE: cpuFile } }));
      cpu.push(Number(readFileSync(cpuFile, 'utf8')) / lines);
      if (withCallback) callback.push(lines / timed([...base, '-c', path.join(import.meta.dirname, 'noop-callback.mjs')]));
    }
    return [
      { scenario: 'listen', mode: 'stdout', lines, eventsPerSec: median(stdout), cpuMicrosPerLine: median(cpu) },
      ...(withCallback ? [{ scenario: 'listen', mode: 'no-op callback', lines, eventsPerSec: median(callback) }] : []),
    ];
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function startup({ runs = 11 } = {}) {
  const help = [];
  const bare = [];
  for (let r = 0; r < runs; r++) {
    bare.push(timed(['-e', '0']) * 1000);
    help.push(timed([BIN, '--help']) * 1000);
  }
  const helpMs = median(help);
  const nodeMs = median(bare);
  return [{ scenario: 'startup', helpMs, nodeMs, overheadMs: helpMs - nodeMs }];
}
