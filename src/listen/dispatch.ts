/**
 * Records in, output and callbacks out: each record is filtered, printed and/or handed to the
 * callback runner, and its id committed once nothing before it is still being handled.
 */
import type { RecordStream } from '../client/connect.js';
import type { RecordSource } from '../client/source.js';
import type { StreamRecord } from '../wire/types.js';
import type { ListenEvent } from './callback.js';
import type { Commit } from './commit.js';
import type { Filter } from './filter.js';
import type { Output } from './output.js';
import type { CallbackRunner, Outcome } from './runner.js';

export interface ListenResult {
  matched: number;
  handled: number;
  deadLettered: number;
  checkpoint: string | undefined;
}

export interface Dispatch {
  filter: Filter;
  /** Print matches (as NDJSON records with `json`, else as lines, `highlight`ed if given). */
  printing: boolean;
  json: boolean;
  highlight: ((line: string) => string) | undefined;
  /** With `-H`: what goes before a printed line, from the record's file. */
  prefix: ((file: string) => string) | undefined;
  out: Output;
  runner: CallbackRunner | undefined;
  commit: Commit;
  /** Stop after this many matches. */
  limit: number;
  result: ListenResult;
  /** True once the listener should stop (a signal, stdout gone). */
  stopped: () => boolean;
}

/** Hands one record to the runner; the commit moves once its outcome is known. */
function startCallback(d: Dispatch, runner: CallbackRunner, rec: StreamRecord, match: RegExpExecArray | null): void {
  const entry = d.commit.start(rec.id);
  // The record was parsed for us alone: adding `match` in place saves a copy per event.
  const event = rec as ListenEvent;
  event.match = match;
  const finish = (outcome: Outcome): void => {
    // An abandoned event (shutdown mid-retry) is not handled: the checkpoint stays before it.
    if (outcome === 'abandoned') return;
    if (outcome === 'failed') {
      d.commit.release?.(entry);
      return;
    }
    d.result.handled++;
    d.commit.finish(entry);
  };
  const outcome = runner.run(event);
  if (typeof outcome === 'string') finish(outcome);
  else void outcome.then(finish);
}

/**
 * `dispatch` for a listener that only prints raw lines (no callback, no `--json`, no highlight):
 * the lines go from the received bytes to stdout without a record made for each, and without a
 * string unless `filtered` (there are patterns to test).
 */
export async function printLines(stream: RecordStream, d: Dispatch, filtered: boolean): Promise<boolean> {
  const { result } = d;
  const keep = filtered ? (line: string): boolean => d.filter(line) !== false : undefined;
  for await (const lines of stream.lines(d.limit - result.matched, keep)) {
    if (d.stopped()) break;
    result.matched += lines.count;
    result.handled += lines.count;
    await d.out.write(lines.bytes);
    d.commit.pass(lines.lastId);
    if (result.matched >= d.limit || d.stopped()) break;
  }
  return result.matched >= d.limit;
}

/** Runs until the stream ends or `stopped()`; true when it stopped because `limit` was reached. */
export async function dispatch(stream: RecordSource, d: Dispatch): Promise<boolean> {
  const { filter, runner, result, out } = d;
  let stopped = false;
  for await (const batch of stream.batches()) {
    let text = '';
    let passed: string | undefined;
    for (const rec of batch) {
      if (d.stopped()) break;
      const match = filter(rec.line);
      if (match === false) {
        if (runner) d.commit.pass(rec.id);
        else passed = rec.id;
        continue;
      }
      result.matched++;
      if (d.printing) text += d.json ? `${JSON.stringify(rec)}\n` : `${d.prefix ? d.prefix(rec.file ?? '') : ''}${d.highlight ? d.highlight(rec.line) : rec.line}\n`;
      if (runner) {
        // Print what came before first, so output is not held back by a full callback queue.
        const slot = runner.slot();
        if (slot) {
          await out.write(text);
          text = '';
          await slot;
        }
        startCallback(d, runner, rec, match);
      } else {
        passed = rec.id;
        result.handled++;
      }
      if (result.matched >= d.limit) {
        stopped = true;
        break;
      }
    }
    await out.write(text);
    // Without a callback an event is handled once it is printed.
    if (passed !== undefined) d.commit.pass(passed);
    if (stopped || d.stopped()) break;
  }
  return result.matched >= d.limit;
}
