// Shared pieces of the benchmark scripts: child processes, /proc readings, medians.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(ROOT, 'bin', 'evlog.js');

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Peak (VmHWM) or current (VmRSS) resident memory of a process, in bytes. */
export function memory(pid, field = 'VmHWM') {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** User + system CPU seconds a process has used so far. */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, counted from the state field (index 0 here = field 3).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Starts `evlog serve` on an ephemeral port and resolves with its URL once it listens.
 * BENCH_SERVE_NODE_ARGS adds node flags to the server only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`.
 */
export function startServe(file, extra = [], bin = BIN) {
  const args = path.basename(bin) === 'evlog.js' ? [bin, 'serve', '-p', '0', ...extra, file] : [bin, file];
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 15_000);
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], pid: child.pid, stop: () => stopChild(child) });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

/** The baseline: a Node HTTP relay of `tail -n 0 -F` (bench/baseline-relay.js). */
export function startRelay(file) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'baseline-relay.js'), file], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d) => {
      const m = /on (http:\/\/\S+)/.exec(d);
      if (m) resolve({ child, url: `${m[1]}/stream`, pid: child.pid, stop: () => stopChild(child) });
    });
    child.on('exit', (code) => reject(new Error(`relay exited ${code}`)));
  });
}

export function stopChild(child) {
  if (child.exitCode !== null) return Promise.resolve();
  const done = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return done;
}

/** The complete lines of text arriving in chunks; an unfinished last line waits for the next chunk. */
export function lineChunks() {
  let carry = '';
  return (data) => {
    const text = carry + data;
    const end = text.lastIndexOf('\n') + 1;
    carry = text.slice(end);
    return end === 0 ? [] : text.slice(0, end - 1).split('\n');
  };
}

export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
