/**
 * Runs the callback for each matching event: up to `concurrency` at once, each attempt bounded by
 * a timeout, failures retried with exponential backoff and jitter, and an event that still fails
 * handed to the dead-letter sink. Shutdown aborts waiting retries; such an event counts as not
 * handled, so the checkpoint stays before it and the next run delivers it again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../client/backoff.js';
import type { Callback, ListenEvent } from './callback.js';

export type Outcome = 'ok' | 'dead-lettered' | 'abandoned';

export interface RunnerOptions {
  callback: Callback;
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
  concurrency: number;
  deadLetter: (event: ListenEvent, error: Error, attempts: number) => void | Promise<void>;
}

class CallbackTimeout extends Error {
  constructor(ms: number) {
    super(`callback still running after ${ms} ms`);
  }
}

export class CallbackRunner {
  readonly #opts: RunnerOptions;
  readonly #shutdown = new AbortController();
  #inFlight = 0;
  #waiters: (() => void)[] = [];

  constructor(options: RunnerOptions) {
    this.#opts = options;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves once another callback may start. */
  async slot(): Promise<void> {
    while (this.#inFlight >= this.#opts.concurrency) await new Promise<void>((r) => this.#waiters.push(r));
  }

  /** Resolves once nothing is in flight. */
  async idle(): Promise<void> {
    while (this.#inFlight > 0) await new Promise<void>((r) => this.#waiters.push(r));
  }

  /** Stop retrying and tell running callbacks (through ctx.signal) to give up. */
  abort(): void {
    this.#shutdown.abort();
  }

  async run(event: ListenEvent): Promise<Outcome> {
    this.#inFlight++;
    try {
      return await this.#attempts(event);
    } finally {
      this.#inFlight--;
      this.#waiters.splice(0).forEach((wake) => wake());
    }
  }

  async #attempts(event: ListenEvent): Promise<Outcome> {
    const { retries, retryDelayMs } = this.#opts;
    let lastError: Error = new Error('not run');
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      if (this.#shutdown.signal.aborted) return 'abandoned';
      try {
        await this.#attempt(event, attempt);
        return 'ok';
      } catch (err) {
        lastError = err instanceof Error ? err : new Error(String(err));
      }
      if (attempt <= retries) {
        const delay = backoffDelay(attempt - 1, { minMs: retryDelayMs, maxMs: Math.max(retryDelayMs, 30_000) });
        await sleep(delay, undefined, { signal: this.#shutdown.signal }).catch(() => undefined);
      }
    }
    if (this.#shutdown.signal.aborted) return 'abandoned';
    await this.#opts.deadLetter(event, lastError, retries + 1);
    return 'dead-lettered';
  }

  async #attempt(event: ListenEvent, attempt: number): Promise<void> {
    const { timeoutMs, callback } = this.#opts;
    const controller = new AbortController();
    const onShutdown = (): void => controller.abort(this.#shutdown.signal.reason);
    this.#shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    // Timeout and shutdown both end the attempt at once, whether or not the callback listens.
    const timer = setTimeout(() => controller.abort(new CallbackTimeout(timeoutMs)), timeoutMs);
    const ended = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
    });
    try {
      // A callback that throws synchronously fails this attempt like one that rejects.
      await Promise.race([Promise.resolve().then(() => callback(event, { signal: controller.signal, attempt })), ended]);
    } finally {
      clearTimeout(timer);
      this.#shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }
}
