import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, vi } from 'vitest';
import { stopChildren, track } from './children.js';
import { main } from '../../src/cli.js';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/evlog.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with captured output. */
export async function runInProcess(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'evlog', ...args], {
    writeOut: (text) => (stdout += text),
    writeErr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// Only the processes this test started, by their PID (tmp.ts also stops them before removing directories).
afterEach(stopChildren);

/** Spawns the real `evlog` binary. */
export function spawnCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore' } = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  track(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = once(child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs the real binary to completion. */
export async function runCli(args: string[], opts: Parameters<typeof spawnCli>[1] & { input?: string } = {}): Promise<CliResult> {
  const spawned = spawnCli(args, { ...opts, stdin: opts.input === undefined ? opts.stdin : 'pipe' });
  if (opts.input !== undefined) spawned.child.stdin!.end(opts.input);
  const { code } = await spawned.exited;
  return { code: code ?? -1, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

/** Waits until `read()` matches, polling; fails with the last value seen at the deadline. */
export async function waitForMatch(read: () => string, pattern: RegExp, timeout = 10_000): Promise<RegExpMatchArray> {
  return vi.waitFor(() => {
    const m = read().match(pattern);
    if (!m) throw new Error(`waiting for ${pattern} in: ${read().slice(-500)}`);
    return m;
  }, { timeout, interval: 20 });
}

/**
 * Runs the real binary where permission bits apply: as `nobody` when the tests run as root (root
 * ignores them), else as the current user. The directories on the way must be searchable by it.
 */
export function runUnprivileged(args: string[]): CliResult {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot
    ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  try {
    const stdout = execFileSync(cmd, argv, { stdio: 'pipe', timeout: 10_000, encoding: 'utf8' });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number | null; stdout: string; stderr: string };
    return { code: e.status ?? -1, stdout: e.stdout, stderr: e.stderr };
  }
}
