/**
 * Runs the callback for each matching event: up to `concurrency` at once, each attempt bounded by
 * a timeout, failures retried with exponential backoff and jitter, and an event that still fails
 * handed to the dead-letter sink. Shutdown aborts waiting retries; such an event counts as not
 * handled, so the checkpoint stays before it and the next run delivers it again.
 */
import { setMaxListeners } from 'node:events';
import { sleep } from '../sleep.js';
import { backoffDelay } from '../client/backoff.js';
import type { Callback, CallbackContext, ListenEvent } from './callback.js';
import { asError } from './failure.js';

/** `failed`: every attempt failed and it was not the event's last chance (see `lastChance`). */
export type Outcome = 'ok' | 'dead-lettered' | 'failed' | 'abandoned';

export interface RunnerOptions {
  callback: Callback;
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
  concurrency: number;
  deadLetter: (event: ListenEvent, error: Error, attempts: number) => void | Promise<void>;
  /**
   * Whether an event that failed every attempt goes to the dead letter now (default: always). A
   * consumer group says no before the event's last delivery: the group delivers it again.
   */
  lastChance?: (event: ListenEvent) => boolean;
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
    // Each event in flight listens for shutdown once (its attempt or its wait for a retry): as
    // many listeners as --concurrency allows is the design, not a leak.
    setMaxListeners(options.concurrency + 10, this.#shutdown.signal);
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

  /**
   * Runs the callback for one event. The first attempt starts at once; when the callback returns
   * without a promise and without throwing, the outcome is returned as is: no promise, no
   * microtask, no bookkeeping per event, which is most of the cost of a cheap callback.
   */
  run(event: ListenEvent): Outcome | Promise<Outcome> {
    if (this.#shutdown.signal.aborted) return 'abandoned';
    let pending: Promise<void> | undefined;
    try {
      pending = this.#attempt(event, 1);
    } catch (err) {
      return this.#counted(this.#retry(event, asError(err)));
    }
    if (pending === undefined) return 'ok';
    return this.#counted(pending.then((): Outcome => 'ok', (err: unknown) => this.#retry(event, asError(err))));
  }

  /** Counts the work as in flight (for `slot()` and `idle()`) until it settles. */
  async #counted(work: Promise<Outcome>): Promise<Outcome> {
    this.#inFlight++;
    try {
      return await work;
    } finally {
      this.#inFlight--;
      this.#waiters.splice(0).forEach((wake) => wake());
    }
  }

  /** Attempts 2 and on, after the first one failed with `error`; then the dead letter. */
  async #retry(event: ListenEvent, error: Error): Promise<Outcome> {
    const { retries, retryDelayMs } = this.#opts;
    let lastError = error;
    for (let attempt = 2; attempt <= retries + 1; attempt++) {
      const delay = backoffDelay(attempt - 2, { minMs: retryDelayMs, maxMs: Math.max(retryDelayMs, 30_000) });
      await sleep(delay, this.#shutdown.signal);
      if (this.#shutdown.signal.aborted) return 'abandoned';
      try {
        const pending = this.#attempt(event, attempt);
        if (pending) await pending;
        return 'ok';
      } catch (err) {
        lastError = asError(err);
      }
    }
    if (this.#shutdown.signal.aborted) return 'abandoned';
    if (this.#opts.lastChance?.(event) === false) return 'failed';
    await this.#opts.deadLetter(event, lastError, retries + 1);
    return 'dead-lettered';
  }

  /**
   * One call of the callback. A callback that returns without a promise is done there and then:
   * no timer, and no AbortController unless it looked at `ctx.signal`. That keeps the cost of a
   * cheap callback close to the cost of the call.
   */
  #attempt(event: ListenEvent, attempt: number): Promise<void> | undefined {
    const ctx = new AttemptContext(attempt, this.#shutdown.signal);
    let result: unknown;
    try {
      result = this.#opts.callback(event, ctx);
    } catch (err) {
      ctx.dispose();
      throw err;
    }
    if (!isThenable(result)) {
      ctx.dispose();
      return undefined;
    }
    return this.#bounded(result, ctx.link);
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

/** A controller for one attempt that also aborts when the listener shuts down. */
function linkTo(shutdown: AbortSignal): Link {
  const controller = new AbortController();
  const onShutdown = (): void => controller.abort(shutdown.reason);
  if (shutdown.aborted) onShutdown();
  else shutdown.addEventListener('abort', onShutdown, { once: true });
  return { controller, dispose: () => shutdown.removeEventListener('abort', onShutdown) };
}

/**
 * The `ctx` of one attempt. A class, not an object literal with a getter: creating one per event
 * is then as cheap as any small object, and the AbortController exists only if `signal` is read.
 */
class AttemptContext implements CallbackContext {
  readonly attempt: number;
  readonly #shutdown: AbortSignal;
  #link: Link | undefined;

  constructor(attempt: number, shutdown: AbortSignal) {
    this.attempt = attempt;
    this.#shutdown = shutdown;
  }

  get signal(): AbortSignal {
    return this.link.controller.signal;
  }

  get link(): Link {
    return (this.#link ??= linkTo(this.#shutdown));
  }

  dispose(): void {
    this.#link?.dispose();
  }
}

function isThenable(value: unknown): value is PromiseLike<void> {
  return typeof (value as PromiseLike<void> | undefined)?.then === 'function';
}
