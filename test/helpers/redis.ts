/**
 * A real redis-server per test: its own port on 127.0.0.1, its own directory, stopped by its PID.
 * Tests that need one use `describe.skipIf(!haveRedis)`; under CI its absence fails the run instead
 * (CI installs it: .ci/run), as Chromium's does for the browser tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { closedPort } from './ports.js';

export const REDIS_SERVER = process.env['EVLOG_REDIS_SERVER'] ?? 'redis-server';
export const haveRedis = spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0;
if (!haveRedis) {
  if (process.env['CI']) throw new Error(`Redis tests need ${REDIS_SERVER} (apt-get install redis-server)`);
  console.warn(`skipping Redis tests: ${REDIS_SERVER} not found (apt-get install redis-server)`);
}

export interface RedisOptions {
  /** Keep an append-only file, so that a restart (`restart()`) finds what was written. */
  appendonly?: boolean;
  /** Clients must AUTH with this password. */
  requirepass?: string;
}

export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly dir: string;
  pid(): number;
  /** Ends the server (SIGTERM: it writes its AOF first; `kill` for SIGKILL) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
}

const running = new Set<TestRedis>();

afterEach(async () => {
  const servers = [...running];
  running.clear();
  await Promise.all(servers.map((r) => r.stop('SIGKILL')));
  await Promise.all(servers.map((r) => rm(r.dir, { recursive: true, force: true })));
});

function spawnRedis(port: number, dir: string, opts: RedisOptions): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no'];
  args.push('--appendonly', opts.appendonly ? 'yes' : 'no');
  if (opts.appendonly) args.push('--appendfsync', 'always');
  if (opts.requirepass) args.push('--requirepass', opts.requirepass);
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.resume();
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${out.slice(-300)}`)));
  });
}

/** Starts a redis-server for this test; it is stopped after the test whatever happens. */
export async function startRedis(opts: RedisOptions = {}): Promise<TestRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'evlog-redis-'));
  let child: ChildProcess | undefined;
  let port = 0;
  // A port free a moment ago can be taken meanwhile by another test: try a few.
  for (let attempt = 0; !child; attempt++) {
    port = await closedPort();
    try {
      child = await spawnRedis(port, dir, opts);
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
  const redis: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: () => child!.pid!,
    async stop(signal = 'SIGTERM') {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill(signal);
      await exited;
    },
    async start() {
      child = await spawnRedis(port, dir, opts);
    },
  };
  running.add(redis);
  return redis;
}
