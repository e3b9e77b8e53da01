/**
 * The page's stream: an EventSource on `/stream?format=sse&batch=1` that never loses its place.
 * While the browser retries on its own it sends `Last-Event-ID`; when it gives up (the server
 * answered with an error, or was down for good) we reopen with `from=<last id>` (before any
 * record: where the server said the stream started), so a restart of the server shows neither a
 * gap nor a duplicate. `batch=1` makes each event carry a batch of
 * records: Chromium spends about 60 µs dispatching one event, which would cap the page near
 * 15,000 lines/s with all its time gone.
 */
import type { FilterSpec } from './filter.js';
import { parseBatch, parseGap, type LiveRecord } from './record.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized' | 'failed';

export interface LiveStreamOptions {
  /** Lines of history to start with, before any record has arrived. */
  tail: number;
  token: string | undefined;
  /** `file=` values: the files to stream (names or globs); none for all of them. */
  files: readonly string[];
  /** `history`: the lines the stream opened with (`tail`), which were not written just now. */
  onRecords(records: LiveRecord[], history: boolean): void;
  onState(state: ConnectionState, detail?: string): void;
}

const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

export class LiveStream {
  readonly #options: LiveStreamOptions;
  #token: string | undefined;
  #filter: FilterSpec | undefined;
  #files: readonly string[];
  #source: EventSource | undefined;
  #lastId: string | undefined;
  /** Where the server said the stream started: the place to reopen at before any record. */
  #startId: string | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  /** Bumped on every (re)open, so late callbacks of an old EventSource or probe are ignored. */
  #generation = 0;

  constructor(options: LiveStreamOptions) {
    this.#options = options;
    this.#token = options.token;
    this.#files = options.files;
  }

  get lastId(): string | undefined {
    return this.#lastId;
  }

  /** Opens the stream, unless a filter change has opened it already. */
  start(): void {
    if (this.#source === undefined) this.#open();
  }

  setToken(token: string): void {
    this.#token = token;
    this.#open();
  }

  /** Let the server filter (`match=`), or pass `undefined` to receive every line again. */
  setServerFilter(filter: FilterSpec | undefined): void {
    this.#filter = filter;
    this.#open();
  }

  /**
   * Stream these files from now on. The stream reopens after the last id received, so the files
   * still selected go on with no line lost or shown twice.
   */
  setFiles(files: readonly string[]): void {
    this.#files = files;
    this.#open();
  }

  close(): void {
    this.#generation++;
    clearTimeout(this.#retry);
    this.#source?.close();
    this.#source = undefined;
  }

  url(): string {
    const params = new URLSearchParams({ format: 'sse', batch: '1' });
    const after = this.#lastId ?? this.#startId;
    if (after !== undefined) params.set('from', after);
    else params.set('tail', String(this.#options.tail));
    if (this.#filter !== undefined && this.#filter.pattern !== '') {
      params.set('match', this.#filter.pattern);
      if (this.#filter.ignoreCase) params.set('ignore_case', '1');
      if (this.#filter.invert) params.set('invert', '1');
    }
    for (const file of this.#files) params.append('file', file);
    if (this.#token !== undefined) params.set('token', this.#token);
    // Relative, so the page also works behind a proxy that mounts it under a path.
    return `stream?${params}`;
  }

  #open(): void {
    this.close();
    const generation = this.#generation;
    // Opened with `tail`: the server sends that history first, in the stream's first batch.
    let history = this.#lastId === undefined && this.#startId === undefined && this.#options.tail > 0;
    const source = new EventSource(this.url());
    this.#source = source;
    this.#options.onState(this.#lastId === undefined && this.#failures === 0 ? 'connecting' : 'reconnecting');
    source.onopen = () => {
      if (generation !== this.#generation) return;
      this.#failures = 0;
      this.#options.onState('live');
    };
    source.addEventListener('start', (event) => {
      if (generation === this.#generation) this.#startId = (event as MessageEvent<string>).data;
    });
    source.addEventListener('gap', (event) => {
      if (generation !== this.#generation) return;
      const gap = parseGap((event as MessageEvent<string>).data);
      if (gap === undefined) return;
      this.#lastId = (event as MessageEvent<string>).lastEventId;
      this.#options.onRecords([gap], false);
    });
    source.onmessage = (event) => {
      if (generation !== this.#generation) return;
      const records = parseBatch(event.data as string);
      if (records.length === 0) return;
      this.#lastId = event.lastEventId;
      this.#options.onRecords(records, history);
      history = false;
    };
    source.onerror = () => {
      if (generation !== this.#generation) return;
      // CONNECTING: the browser is already retrying, and will send Last-Event-ID.
      if (source.readyState === EventSource.CONNECTING) return this.#options.onState('reconnecting');
      source.close();
      void this.#diagnose(generation);
    };
  }

  /** EventSource hides why a stream was refused; one fetch of the same URL tells us. */
  async #diagnose(generation: number): Promise<void> {
    const abort = new AbortController();
    let status: number | undefined;
    let reason = '';
    try {
      const response = await fetch(this.url(), { signal: abort.signal, headers: { accept: 'text/event-stream' } });
      status = response.status;
      if (!response.ok) reason = (await response.text()).trim();
    } catch {
      // The server is unreachable: retry below.
    } finally {
      abort.abort();
    }
    if (generation !== this.#generation) return;
    if (status === 401) return this.#options.onState('unauthorized');
    if (status === 400) return this.#options.onState('failed', reason);
    this.#options.onState('reconnecting', reason || undefined);
    const delay = Math.min(MAX_RETRY_MS, MIN_RETRY_MS * 2 ** this.#failures++);
    this.#retry = setTimeout(() => this.#open(), delay * (0.5 + Math.random() / 2));
  }
}
