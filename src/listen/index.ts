/**
 * `evlog listen` as a library: read the stream, filter it, print matches and/or run the callback,
 * keep the checkpoint. Everything that can be wrong with the options (patterns, callback module,
 * URL, checkpoint and dead-letter files) fails before the first connection.
 */
import type { Writable } from 'node:stream';
import { connect, type ClientStatus } from '../client/connect.js';
import { isResumeId } from '../sources/file/cursor.js';
import type { StreamRecord } from '../wire/record.js';
import { loadCallback, type Callback, type ListenEvent } from './callback.js';
import { Checkpoint } from './checkpoint.js';
import { openDeadLetters } from './dead-letter.js';
import { makeFilter } from './filter.js';
import { makeHighlighter, useColor, type ColorWhen } from './highlight.js';
import { Output } from './output.js';
import { CallbackRunner, type Outcome } from './runner.js';
import { ContiguousTracker } from './tracker.js';

export type { Callback, CallbackContext, ListenEvent } from './callback.js';

export interface ListenOptions {
  url?: string;
  match?: readonly string[];
  ignoreCase?: boolean;
  invert?: boolean;
  /** A module path (relative to the cwd) or the function itself. */
  callback?: string | Callback;
  json?: boolean;
  print?: boolean;
  /** Highlight the matched text in printed lines (default `auto`: when stdout is a terminal). */
  color?: ColorWhen;
  count?: number;
  from?: string;
  tail?: number;
  checkpoint?: string;
  retries?: number;
  retryDelayMs?: number;
  deadLetter?: string;
  callbackTimeoutMs?: number;
  concurrency?: number;
  token?: string;
  /** PEM certificates to trust for https:// and wss://. */
  ca?: string | Buffer;
  reconnect?: boolean;
  signal?: AbortSignal;
  stdout?: Writable;
  /** Diagnostics, one line each (stderr in the CLI). */
  log?: (line: string) => void;
  /** How long shutdown waits for running callbacks before aborting them. */
  shutdownGraceMs?: number;
}

export interface ListenResult {
  matched: number;
  handled: number;
  deadLettered: number;
  checkpoint: string | undefined;
}

export const DEFAULT_URL = 'http://127.0.0.1:8001';

function statusLogger(log: (line: string) => void): (status: ClientStatus) => void {
  let retrying = false;
  return (status) => {
    if (status.type === 'retrying') {
      retrying = true;
      log(`${status.error.message}; reconnecting in ${(status.delayMs / 1000).toFixed(1)} s`);
    } else if (retrying) {
      retrying = false;
      log(`reconnected to ${new URL(status.url).origin}`);
    }
  };
}

export async function listen(options: ListenOptions = {}): Promise<ListenResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`evlog: ${line}\n`));
  const filter = makeFilter({ patterns: options.match ?? [], ignoreCase: options.ignoreCase, invert: options.invert });
  const callback = typeof options.callback === 'string' ? await loadCallback(options.callback) : options.callback;
  const checkpoint = options.checkpoint === undefined ? undefined : await Checkpoint.open(options.checkpoint, isResumeId);
  const stream = connect(options.url ?? DEFAULT_URL, {
    token: options.token,
    ca: options.ca,
    // A saved checkpoint wins over --from and --tail.
    from: checkpoint?.saved ?? options.from,
    tail: checkpoint?.saved === undefined ? options.tail : undefined,
    reconnect: options.reconnect,
    onStatus: statusLogger(log),
    // Never a line for the callback or for stdout; with --json the record itself is printed too.
    onGap: async (gap) => {
      log(`gap in ${gap.file ?? 'the file'}: ${gap.gap.reason}`);
      if (options.json === true && printing) await out.write(`${JSON.stringify(gap)}\n`);
      // Nothing to handle there: the checkpoint may move past it once what came before is done.
      tracker.pass(gap.id);
    },
  });
  const deadLetters = await openDeadLetters(options.deadLetter, log);
  const stdout = options.stdout ?? process.stdout;
  const out = new Output(stdout);
  const printing = callback === undefined || options.print === true;
  // An inverted match selects lines by what they lack: nothing to show, as with grep -v.
  const patterns = options.match ?? [];
  const highlight = !options.json && !options.invert && patterns.length > 0 && useColor(options.color ?? 'auto', stdout)
    ? makeHighlighter(patterns, options.ignoreCase)
    : undefined;
  const tracker = new ContiguousTracker((id) => checkpoint?.set(id));
  const result: ListenResult = { matched: 0, handled: 0, deadLettered: 0, checkpoint: undefined };
  const runner = callback && new CallbackRunner({
    callback,
    retries: options.retries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 100,
    timeoutMs: options.callbackTimeoutMs ?? 30_000,
    concurrency: options.concurrency ?? 1,
    deadLetter: async (event, error, attempts) => {
      result.deadLettered++;
      await deadLetters.write(event, error, attempts);
    },
  });

  let stopped = false;
  const stop = (): void => {
    stopped = true;
    stream.close();
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  out.onClose(stop);
  const limit = options.count ?? Number.POSITIVE_INFINITY;

  const start = (rec: StreamRecord, match: RegExpExecArray | null): void => {
    const entry = tracker.start(rec.id);
    // The record was parsed for us alone: adding `match` in place saves a copy per event.
    const event = rec as ListenEvent;
    event.match = match;
    const finish = (outcome: Outcome): void => {
      // An abandoned event (shutdown mid-retry) is not handled: the checkpoint stays before it.
      if (outcome === 'abandoned') return;
      result.handled++;
      tracker.finish(entry);
    };
    const outcome = runner!.run(event);
    if (typeof outcome === 'string') finish(outcome);
    else void outcome.then(finish);
  };

  let completed = false;
  try {
    for await (const batch of stream.batches()) {
      let text = '';
      let passed: string | undefined;
      for (const rec of batch) {
        if (stopped) break;
        const match = filter(rec.line);
        if (match === false) {
          if (runner) tracker.pass(rec.id);
          else passed = rec.id;
          continue;
        }
        result.matched++;
        if (printing) text += options.json ? `${JSON.stringify(rec)}\n` : `${highlight ? highlight(rec.line) : rec.line}\n`;
        if (runner) {
          // Print what came before first, so output is not held back by a full callback queue.
          const slot = runner.slot();
          if (slot) {
            await out.write(text);
            text = '';
            await slot;
          }
          start(rec, match);
        } else {
          passed = rec.id;
          result.handled++;
        }
        if (result.matched >= limit) {
          stopped = true;
          break;
        }
      }
      await out.write(text);
      // Without a callback an event is handled once it is printed.
      if (passed !== undefined) tracker.pass(passed);
      if (stopped) break;
    }
    completed = result.matched >= limit;
  } finally {
    stream.close();
    if (runner) {
      // At the count every dispatched event runs to its end; on a signal, a closed stdout or an
      // error, running callbacks get a grace period and are then aborted.
      const grace = options.shutdownGraceMs ?? Math.min(options.callbackTimeoutMs ?? 30_000, 10_000);
      const timer = completed ? undefined : setTimeout(() => runner.abort(), grace);
      await runner.idle();
      clearTimeout(timer);
    }
    await deadLetters.close();
    await checkpoint?.flush();
    result.checkpoint = checkpoint?.saved;
  }
  return result;
}
