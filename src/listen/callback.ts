/**
 * Loads the user's callback module before anything connects: an ESM or CJS module whose default
 * export is a function. A missing file, a module that fails to load, or one without a function
 * is a usage error with a one-line reason.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import type { StreamRecord } from '../wire/record.js';

/** What a callback receives: the record plus the match of the filter that let it through. */
export interface ListenEvent extends StreamRecord {
  match: RegExpExecArray | null;
}

export interface CallbackContext {
  /** Aborts when this attempt timed out or the listener is shutting down. */
  signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  attempt: number;
}

export type Callback = (event: ListenEvent, ctx: CallbackContext) => void | Promise<void>;

const fail = (spec: string, why: string): UsageError => new UsageError('EVLOG_ERR_CALLBACK', `callback module ${spec} ${why}`);

/** What `-c` takes, for a user who gave it something else (an event name, a pattern). */
const HINT = '(-c takes a JavaScript module file whose default export is a function; patterns go in -m)';

export async function loadCallback(spec: string, cwd = process.cwd()): Promise<Callback> {
  const file = path.resolve(cwd, spec);
  const stats = await stat(file).catch(() => undefined);
  if (!stats) throw fail(spec, `not found ${HINT}`);
  if (!stats.isFile()) throw fail(spec, 'is not a file');
  let mod: unknown;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw fail(spec, `failed to load: ${message}`);
  }
  // CJS interop: `module.exports = fn` arrives as default; `exports.default = fn` as default.default.
  let fn = (mod as { default?: unknown }).default;
  if (fn !== null && typeof fn === 'object' && 'default' in fn) fn = (fn as { default: unknown }).default;
  if (typeof fn !== 'function') throw fail(spec, `has no default export that is a function ${HINT}`);
  return fn as Callback;
}
