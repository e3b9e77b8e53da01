import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/writers/seq-writer.mjs');
const started = new Set<ChildProcess>();

afterEach(async () => {
  // Only the writers this test started, by their PID. Waits for them to exit: a writer still
  // appending while the test's directory is removed makes the removal fail (ENOTEMPTY).
  const running = [...started].filter((child) => child.exitCode === null && child.signalCode === null);
  started.clear();
  await Promise.all(
    running.map((child) => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      return exited;
    }),
  );
});

export interface SeqWriter {
  /** Asks a `hold` writer to reopen the path (logrotate's postrotate signal). */
  reopen(): void;
  /** Stops the writer; resolves with the number of lines it wrote. */
  stop(): Promise<number>;
}

/** A child process appending `seq:<n>` lines to `file` (see fixtures/writers/seq-writer.mjs). */
export async function startWriter(file: string, mode: 'reopen' | 'hold', rate: number): Promise<SeqWriter> {
  const child = spawn(process.execPath, [SCRIPT, file, mode, String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (out += text));
  while (!out.includes('ready\n')) await once(child.stdout!, 'data');
  const exited = once(child, 'exit');
  return {
    reopen: () => child.kill('SIGHUP'),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      return Number(out.trim().split('\n').pop());
    },
  };
}
