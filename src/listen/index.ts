/**
 * `evlog listen` as a library: read the stream, filter it, print matches and/or run the callback,
 * commit what was handled. Everything that can be wrong with the options (patterns, callback
 * module, URL, checkpoint and dead-letter files) fails before the first connection. This file
 * wires the parts together and shuts them down; dispatch.ts moves the records.
 */
import { RecordStream, type ClientStatus } from '../client/connect.js';
import { loadCallback } from './callback.js';
import { openDeadLetters } from './dead-letter.js';
import { dispatch, printLines, type ListenResult } from './dispatch.js';
import { makeFilter } from './filter.js';
import { filenamePrefix, makeHighlighter, useColor } from './highlight.js';
import { resolveListenOptions, type ListenOptions } from './options.js';
import { Output } from './output.js';
import { CallbackRunner } from './runner.js';
import { openSource, type Source } from './source.js';

export type { Callback, CallbackContext, ListenEvent } from './callback.js';
export type { Commit } from './commit.js';
export type { ListenResult } from './dispatch.js';
export { LISTEN_DEFAULTS, type ListenOptions } from './options.js';

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
  const opts = resolveListenOptions(options);
  const { log } = opts;
  const filter = makeFilter({ patterns: opts.match, ignoreCase: opts.ignoreCase, invert: opts.invert });
  const callback = typeof opts.callback === 'string' ? await loadCallback(opts.callback) : opts.callback;
  const deadLetters = await openDeadLetters(opts.deadLetter, log);
  let source: Source;
  try {
    source = await openSource(opts, {
      onStatus: statusLogger(log),
      remaining: () => opts.count - result.matched,
      // Never a line for the callback or for stdout; with --json the record itself is printed too.
      onGap: async (gap) => {
        log(`gap in ${gap.file ?? 'the file'}: ${gap.gap.reason}`);
        if (opts.json === true && printing) await out.write(`${JSON.stringify(gap)}\n`);
        // Nothing to handle there: the checkpoint may move past it once what came before is done.
        commit.pass(gap.id);
      },
    });
  } catch (err) {
    await deadLetters.close();
    throw err;
  }
  const { stream, commit } = source;
  const out = new Output(opts.stdout);
  const printing = callback === undefined || opts.print === true;
  const color = !opts.json && useColor(opts.color, opts.stdout);
  // An inverted match selects lines by what they lack: nothing to show, as with grep -v.
  const highlight = color && !opts.invert && opts.match.length > 0 ? makeHighlighter(opts.match, opts.ignoreCase) : undefined;
  const prefix = opts.withFilename === true && !opts.json ? (file: string) => filenamePrefix(file, color) : undefined;
  const result: ListenResult = { matched: 0, handled: 0, deadLettered: 0, checkpoint: undefined };
  const runner = callback && new CallbackRunner({
    callback,
    retries: opts.retries,
    retryDelayMs: opts.retryDelayMs,
    timeoutMs: opts.callbackTimeoutMs,
    concurrency: opts.concurrency,
    deadLetter: async (event, error, attempts) => {
      result.deadLettered++;
      await deadLetters.write(event, error, attempts);
    },
    lastChance: commit.lastChance && ((event) => commit.lastChance!(event.id)),
  });

  let stopped = false;
  let grace: NodeJS.Timeout | undefined;
  const stop = (): void => {
    stopped = true;
    stream.close();
    // Dispatch may be waiting for a free callback slot: the grace period starts now, not after it.
    grace ??= runner ? setTimeout(() => runner.abort(), opts.shutdownGraceMs) : undefined;
  };
  opts.signal?.addEventListener('abort', stop, { once: true });
  out.onClose(stop);

  let completed = false;
  try {
    const d = { filter, printing, json: opts.json === true, highlight, prefix, out, runner, commit, limit: opts.count, result, stopped: () => stopped };
    // Printing lines as they are needs nothing of a record but its line and id (`-H` needs its file).
    // An evlog server's stream can hand over lines as bytes; a Redis stream's entries are records.
    const raw = printing && !runner && !d.json && !highlight && !prefix && stream instanceof RecordStream;
    completed = await (raw ? printLines(stream, d, opts.match.length > 0 || opts.invert === true) : dispatch(stream, d));
  } finally {
    stream.close();
    if (runner) {
      // At the count every dispatched event runs to its end; on a signal, a closed stdout or an
      // error, running callbacks get a grace period and are then aborted.
      const timer = completed ? undefined : setTimeout(() => runner.abort(), opts.shutdownGraceMs);
      await runner.idle();
      clearTimeout(timer);
      clearTimeout(grace);
    }
    await deadLetters.close();
    await commit.flush();
    result.checkpoint = commit.saved;
  }
  return result;
}
