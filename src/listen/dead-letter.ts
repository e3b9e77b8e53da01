/**
 * Where events go whose callback failed every attempt: an NDJSON file (the record's fields plus
 * error, attempts, time), or one line on stderr when no file was given. Listening goes on.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { RuntimeError, describeSystemError } from '../errors.js';
import type { ListenEvent } from './callback.js';
import { describeFailure } from './failure.js';

export interface DeadLetters {
  write(event: ListenEvent, error: Error, attempts: number): Promise<void>;
  close(): Promise<void>;
}

export async function openDeadLetters(file: string | undefined, log: (line: string) => void): Promise<DeadLetters> {
  if (file === undefined) {
    return {
      write: async (event, error, attempts) => log(`callback failed ${attempts} times for ${event.id} (${event.line.slice(0, 200)}): ${describeFailure(error)}`),
      close: async () => undefined,
    };
  }
  let handle: FileHandle;
  try {
    handle = await open(file, 'a');
  } catch (err) {
    throw new RuntimeError('EVLOG_ERR_DEAD_LETTER', `cannot open dead-letter file ${file}: ${describeSystemError(err)}`, { cause: err });
  }
  // Appends are chained so concurrent failures never interleave inside a line.
  let tail: Promise<unknown> = Promise.resolve();
  return {
    write(event, error, attempts) {
      const { match: _match, ...record } = event;
      const line = `${JSON.stringify({ ...record, error: describeFailure(error), attempts, time: new Date().toISOString() })}\n`;
      const written = tail.then(() => handle.appendFile(line));
      tail = written.catch(() => undefined);
      return written.catch((err: unknown) => log(`cannot write dead-letter file ${file}: ${describeSystemError(err)}`));
    },
    async close() {
      await tail;
      await handle.close();
    },
  };
}
