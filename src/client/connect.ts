/**
 * `connect(url)`: the records of an evlog stream, across reconnects. After a failure it waits
 * (exponential backoff with jitter, reset once an answer proves to be an evlog stream) and
 * resumes right after the last id it received, or before any record where the server said the
 * stream started, so a server restart loses and duplicates nothing.
 */
import { sleep } from '../sleep.js';
import { HttpStatusError, RuntimeError, UsageError, describeSystemError } from '../errors.js';
import type { GapRecord, StreamRecord } from '../wire/record.js';
import { backoffDelay } from './backoff.js';
import type { Connection, OpenOptions } from './connection.js';
import { openHttp } from './http.js';
import { isGap, parseRecord } from './parse-record.js';
import { printedLines, type PrintedLines } from './printed-lines.js';
import { LineSink, type Keep } from './record-bytes.js';

export interface ConnectOptions {
  token?: string;
  /** PEM certificates to trust for https:// and wss:// (a private CA, a self-signed server). */
  ca?: string | Buffer;
  /** Start after this id, or `start` for the whole file. */
  from?: string;
  /** Start with the last n lines. */
  tail?: number;
  /** Only these channels of a server that follows several files (names or globs, `file=` each). */
  files?: readonly string[];
  /** Reconnect after failures and ends (default true); false makes them errors. */
  reconnect?: boolean;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longest NDJSON record accepted; a longer one means a broken server. */
  maxRecordBytes?: number;
  /** Told about connections and retries, for a log line. */
  onStatus?: (status: ClientStatus) => void;
  /**
   * Told where the stream skipped what it could not deliver, in order with the records around it.
   * Gap records are never among the records yielded.
   */
  onGap?: (gap: GapRecord) => void | Promise<void>;
}

export type ClientStatus =
  | { type: 'connected'; url: string }
  | { type: 'retrying'; url: string; error: Error; delayMs: number };

/**
 * A record of a line at the server's default limit (1 MiB) takes about twice that, its line
 * repeated as session and event; more only with escapes. A larger one means a broken or hostile
 * server, and must not grow memory.
 */
const DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;
/** Answers in a row that were not an evlog stream before giving up: a wrong URL, not a hiccup. */
const MAX_STRANGE_ANSWERS = 5;

/**
 * `localhost:8001` or `10.0.0.5/stream` as `curl` reads them: http://. A word without a port, a
 * dot or a slash is more likely a pattern typed as grep would take it than a host name.
 */
function withScheme(raw: string): URL {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return new URL(raw);
  const url = new URL(`http://${raw}`);
  const { hostname } = url;
  const ipv6 = hostname.startsWith('[');
  const name = ipv6 || /^[a-z0-9.-]+$/i.test(hostname);
  const hostLike = ipv6 || url.port !== '' || raw.includes('/') || hostname.includes('.') || hostname === 'localhost';
  if (!name || !hostLike) throw new Error('not a host');
  return url;
}

/** The endpoint for a user-given URL: a bare host means `/stream` (HTTP) or `/ws` (WebSocket). */
export function resolveEndpoint(raw: string): URL {
  let url: URL;
  try {
    url = withScheme(raw);
  } catch {
    throw new UsageError('EVLOG_ERR_URL', `'${raw}' is not a URL (like http://127.0.0.1:8001 or localhost:8001); patterns go in -m: evlog listen -m '${raw}'`);
  }
  const ws = url.protocol === 'ws:' || url.protocol === 'wss:';
  if (!ws && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError('EVLOG_ERR_URL', `unsupported URL scheme '${url.protocol}' in '${raw}' (use http(s):// or ws(s)://)`);
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = ws ? '/ws' : '/stream';
  url.searchParams.set('format', 'ndjson');
  return url;
}

/** One line for a failure a user can act on. */
function explain(err: unknown, url: URL, token: string | undefined): Error {
  if (err instanceof HttpStatusError) {
    if (err.status === 401) {
      return new HttpStatusError(401, token === undefined
        ? 'unauthorized (the server wants a token: --token or EVLOG_TOKEN)'
        : 'unauthorized (the server refused the token)');
    }
    return new HttpStatusError(err.status, `${url.origin} answered ${err.status}: ${err.message}`);
  }
  if (err instanceof RuntimeError) return err;
  return new RuntimeError('EVLOG_ERR_CONNECT', `cannot read ${url.origin}${url.pathname}: ${describeSystemError(err)}`, { cause: err });
}

export class RecordStream implements AsyncIterable<StreamRecord> {
  readonly url: URL;
  readonly #options: ConnectOptions;
  #lastId: string | undefined;
  /** Where the server said the stream started, until a record says more. */
  #startId: string | undefined;
  #current: Connection | undefined;
  #closed = false;
  readonly #stop = new AbortController();

  constructor(url: string, options: ConnectOptions = {}) {
    this.url = resolveEndpoint(url);
    for (const file of options.files ?? []) this.url.searchParams.append('file', file);
    this.#options = options;
  }

  /** Id of the last record received. */
  get lastId(): string | undefined {
    return this.#lastId;
  }

  close(): void {
    this.#closed = true;
    this.#stop.abort();
    this.#current?.close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<StreamRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** Records in the batches they arrived in: cheaper for consumers that handle many at once. */
  batches(): AsyncGenerator<StreamRecord[]> {
    return this.#read((chunk) => this.#records(chunk), (records) => records[records.length - 1]!.id);
  }

  /**
   * Only the lines, as bytes ready to print (each ended by `\n`), those `keep` keeps (all without
   * it), at most `max` of them: for a consumer that prints lines and needs nothing else of a
   * record, no record is made, and no string for a line unless `keep` looks at it.
   */
  lines(max = Infinity, keep?: Keep): AsyncGenerator<PrintedLines> {
    const left = { max };
    const sink = new LineSink();
    return this.#read((chunk) => printedLines(chunk, sink, left, (gap) => this.#gap(gap), keep), (printed) => printed.lastId);
  }

  async *#records(chunk: Buffer): AsyncGenerator<StreamRecord[]> {
    let records: StreamRecord[] = [];
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue;
      const rec = parseRecord(line);
      if (!isGap(rec)) {
        records.push(rec);
        continue;
      }
      // The records before it are handled before the gap is told, and the gap before the rest.
      if (records.length > 0) {
        yield records;
        records = [];
      }
      await this.#gap(rec);
    }
    if (records.length > 0) yield records;
  }

  async #gap(rec: GapRecord): Promise<void> {
    this.#lastId = rec.id;
    await this.#options.onGap?.(rec);
  }

  /**
   * The connection and its reconnects: `take` turns each chunk received into what is yielded,
   * `lastIdOf` tells the id of the last record in it, where a reconnect resumes.
   */
  async *#read<T>(take: (chunk: Buffer) => AsyncGenerator<T>, lastIdOf: (item: T) => string): AsyncGenerator<T> {
    const opts = this.#options;
    let attempt = 0;
    /** Answers in a row that were not an evlog stream (a wrong path, another kind of server). */
    let strangers = 0;
    while (!this.#closed) {
      const url = this.#urlForNextConnection();
      let failure: Error;
      // Only an answer that showed it is an evlog stream (its start header, or a record) resets
      // the backoff: any server answers 200 to something, and that alone proves nothing.
      let evlog = false;
      const heard = (): void => {
        if (!evlog) opts.onStatus?.({ type: 'connected', url: url.href });
        evlog = true;
      };
      try {
        this.#current = await this.#open(url);
        if (this.#closed) return;
        this.#startId = this.#current.startId ?? this.#startId;
        if (this.#current.startId !== undefined) heard();
        for (let chunks = await this.#current.next(); chunks; chunks = await this.#current.next()) {
          for (const chunk of chunks) {
            for await (const item of take(chunk)) {
              heard();
              this.#lastId = lastIdOf(item);
              yield item;
            }
            heard();
          }
        }
        failure = new RuntimeError('EVLOG_ERR_STREAM_ENDED', `${url.origin} ended the stream`);
      } catch (err) {
        failure = explain(err, url, opts.token);
      } finally {
        this.#current?.close();
        this.#current = undefined;
      }
      if (this.#closed) return;
      const permanent = failure instanceof HttpStatusError && !failure.retryable;
      if (opts.reconnect === false || permanent) throw failure;
      const stranger = failure instanceof RuntimeError && failure.code === 'EVLOG_ERR_PROTOCOL';
      strangers = stranger ? strangers + 1 : 0;
      if (strangers >= MAX_STRANGE_ANSWERS) {
        throw new RuntimeError('EVLOG_ERR_NOT_EVLOG', `${url.origin}${url.pathname} is not an evlog stream (${strangers} answers in a row): ${failure.message}`);
      }
      if (evlog && !stranger) attempt = 0;
      const delayMs = backoffDelay(attempt++, { minMs: opts.minBackoffMs ?? 100, maxMs: opts.maxBackoffMs ?? 10_000 });
      opts.onStatus?.({ type: 'retrying', url: url.href, error: failure, delayMs });
      await sleep(delayMs, this.#stop.signal);
    }
  }

  #urlForNextConnection(): URL {
    const url = new URL(this.url);
    // Before the first record, the stream's start: lines appended while disconnected still count.
    const after = this.#lastId ?? this.#startId;
    if (after !== undefined) {
      url.searchParams.set('from', after);
      url.searchParams.delete('tail');
    } else {
      if (this.#options.from !== undefined) url.searchParams.set('from', this.#options.from);
      if (this.#options.tail !== undefined) url.searchParams.set('tail', String(this.#options.tail));
    }
    return url;
  }

  async #open(url: URL): Promise<Connection> {
    const options: OpenOptions = { url, token: this.#options.token, ca: this.#options.ca, maxLineBytes: this.#options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES };
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return openHttp(options);
    // The WebSocket library is loaded only for a ws:// URL, not at every listener's start.
    const { openWs } = await import('./ws.js');
    return openWs(options);
  }
}

/** The records of the stream at `url` (`http(s)://` reads /stream, `ws(s)://` reads /ws). */
export function connect(url: string, options: ConnectOptions = {}): RecordStream {
  return new RecordStream(url, options);
}
