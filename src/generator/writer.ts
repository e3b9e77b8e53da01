/**
 * Appends lines to the log file through winston's File transport, with winston's own backpressure
 * (the transport holds its callback until the file stream drains, so `logger.write()` returns false
 * once the pipeline is full) and a flush that waits for the bytes to reach the file.
 */
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import path from 'node:path';
import winston from 'winston';
import { RuntimeError, describeSystemError } from '../errors.js';
import { parseTextEvent } from '../wire/record.js';

export type LogFormat = 'text' | 'json';

const MESSAGE = Symbol.for('message');

/** The text format writes the message alone: the line is exactly `<session>:<event>`. */
const bareMessage = winston.format((info) => {
  (info as Record<symbol, unknown>)[MESSAGE] = info.message;
  return info;
});

function formatFor(format: LogFormat): winston.Logform.Format {
  return format === 'json'
    ? winston.format.combine(winston.format.timestamp(), winston.format.json())
    : bareMessage();
}

export class EventWriter {
  readonly file: string;
  readonly format: LogFormat;
  #logger: winston.Logger;
  #transport: winston.transports.FileTransportInstance;
  #failure: Error | undefined;
  #closing: Promise<void> | undefined;
  // readable-stream 3 (winston's) predates `writableNeedDrain`, so remember write()'s answer.
  #needDrain = false;
  written = 0;

  private constructor(file: string, format: LogFormat) {
    this.file = file;
    this.format = format;
    this.#transport = new winston.transports.File({ filename: file });
    this.#logger = winston.createLogger({
      level: 'info',
      format: formatFor(format),
      transports: [this.#transport],
    });
    this.#transport.on('error', (err: Error) => {
      this.#failure ??= err;
      // Unblock anyone awaiting drain so the failure surfaces instead of hanging.
      this.#logger.emit('drain');
    });
  }

  /**
   * Opens the file once ourselves first: winston would create missing directories and report
   * permission problems asynchronously, and a user deserves a clear error before anything starts.
   */
  static async open(file: string, format: LogFormat): Promise<EventWriter> {
    try {
      const handle = await open(file, 'a');
      await handle.close();
    } catch (err) {
      throw new RuntimeError('EVLOG_ERR_FILE_OPEN', `cannot open ${file} for appending: ${describeSystemError(err)}`, { cause: err });
    }
    return new EventWriter(path.resolve(file), format);
  }

  /** Appends one event; false means wait for `drain()` before writing more. */
  writeEvent(session: string, event: string): boolean {
    this.written++;
    const message = `${session}:${event}`;
    const info = this.format === 'json'
      ? { level: 'info', message, session, event }
      : { level: 'info', message };
    return this.#push(info);
  }

  /** Appends one arbitrary line (stdin mode); in JSON format a `session:event` line keeps its fields. */
  writeLine(line: string): boolean {
    if (this.format === 'json') {
      const fields = parseTextEvent(line);
      if (fields) return this.writeEvent(fields.session, fields.event);
    }
    this.written++;
    return this.#push({ level: 'info', message: line });
  }

  #push(info: object): boolean {
    const ok = this.#logger.write(info);
    if (!ok) this.#needDrain = true;
    return ok;
  }

  async drain(): Promise<void> {
    this.#throwIfFailed();
    if (this.#needDrain) {
      await once(this.#logger, 'drain');
      this.#needDrain = false;
    }
    this.#throwIfFailed();
  }

  /** Ends the logger and resolves once every line is in the file and synced to disk. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const finished = once(this.#transport, 'finish');
    this.#logger.end();
    await finished;
    this.#throwIfFailed();
    // fsync through any descriptor flushes the file's pages; winston keeps its own fd private.
    const handle = await open(this.file, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  #throwIfFailed(): void {
    if (this.#failure) {
      throw new RuntimeError('EVLOG_ERR_FILE_WRITE', `cannot write ${this.file}: ${describeSystemError(this.#failure)}`, { cause: this.#failure });
    }
  }
}
