import { Writable } from 'node:stream';
import { afterEach, vi } from 'vitest';
import { listen, type ListenOptions, type ListenResult } from '../../src/listen/index.js';

const controllers: AbortController[] = [];
afterEach(async () => {
  controllers.splice(0).forEach((c) => c.abort());
});

/** A stdout stand-in that keeps what was written. */
export class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  lines(): string[] {
    return this.text.split('\n').filter((l) => l !== '');
  }
}

export interface Running {
  stdout: Captured;
  logs: string[];
  done: Promise<ListenResult>;
  stop(): Promise<ListenResult>;
  waitForLines(n: number, timeout?: number): Promise<string[]>;
}

/** Runs the listener in this process against a real server, stopping it after the test. */
export function startListen(options: ListenOptions): Running {
  const stdout = new Captured();
  const logs: string[] = [];
  const controller = new AbortController();
  controllers.push(controller);
  const done = listen({ stdout, log: (l) => logs.push(l), signal: controller.signal, ...options });
  done.catch(() => undefined);
  return {
    stdout,
    logs,
    done,
    stop: () => {
      controller.abort();
      return done;
    },
    waitForLines: (n, timeout = 10_000) =>
      vi.waitFor(() => {
        const lines = stdout.lines();
        if (lines.length < n) throw new Error(`${lines.length} of ${n} lines`);
        return lines;
      }, { timeout, interval: 10 }),
  };
}
