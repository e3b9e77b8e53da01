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

  /** Undefined when another callback may start now, else a promise of that moment. */
  slot(): Promise<void> | undefined {
    if (this.#inFlight < this.#opts.concurrency) return undefined;
    return (async () => {
      while (this.#inFlight >= this.#opts.concurrency) await new Promise<void>((r) => this.#waiters.push(r));
    })();
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
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      if (this.#shutdown.signal.aborted) return 'abandoned';
      try {
        const pending = this.#attempt(event, attempt);
        if (pending) await pending;
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
    await this.#opts.deadLetter(event, lastError!, retries + 1);
    return 'dead-lettered';
  }

  /**
   * One call of the callback. A callback that returns without a promise is done there and then:
   * no timer, and no AbortController unless it looked at `ctx.signal`. That keeps the cost of a
   * cheap callback close to the cost of the call.
   */
  #attempt(event: ListenEvent, attempt: number): Promise<void> | undefined {
    let link: Link | undefined;
    const linkOf = (): Link => (link ??= this.#link());
    let result: unknown;
    try {
      result = this.#opts.callback(event, { attempt, get signal() { return linkOf().controller.signal; } });
    } catch (err) {
      link?.dispose();
      throw err;
    }
    if (!isThenable(result)) {
      link?.dispose();
      return undefined;
    }
    return this.#bounded(result, linkOf());
  }

  /** A controller for one attempt that also aborts when the listener shuts down. */
  #link(): Link {
    const controller = new AbortController();
    const shutdown = this.#shutdown.signal;
    const onShutdown = (): void => controller.abort(shutdown.reason);
    if (shutdown.aborted) onShutdown();
    else shutdown.addEventListener('abort', onShutdown, { once: true });
    return { controller, dispose: () => shutdown.removeEventListener('abort', onShutdown) };
  }

  /** Timeout and shutdown both end the attempt at once, whether or not the callback listens. */
  async #bounded(result: PromiseLike<void>, { controller, dispose }: Link): Promise<void> {
    const { timeoutMs } = this.#opts;
    const timer = setTimeout(() => controller.abort(new CallbackTimeout(timeoutMs)), timeoutMs);
    const ended = new Promise<never>((_, reject) => {
      if (controller.signal.aborted) reject(controller.signal.reason as Error);
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
    });
    ended.catch(() => undefined);
    try {
      await Promise.race([result, ended]);
    } finally {
      clearTimeout(timer);
      dispose();
    }
  }
}

interface Link {
  controller: AbortController;
  dispose: () => void;
}

function isThenable(value: unknown): value is PromiseLike<void> {
  return typeof (value as PromiseLike<void> | undefined)?.then === 'function';
}
