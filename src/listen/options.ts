/**
 * `listen()`'s options: defaults merged once (the CLI's flags show and use the same), every value
 * checked before anything connects, the result frozen.
 */
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { checkInt, eachParsedAs, given } from '../option-checks.js';
import { parseChannel, parseRegex } from '../options.js';
import { checkRedisUrl, redactRedisUrl } from '../redis/client.js';
import { isRedisResumePoint } from '../redis/entry.js';
import { isResumePoint } from '../wire/id.js';
import type { Callback } from './callback.js';
import type { ColorWhen } from './highlight.js';

export interface ListenOptions {
  url?: string;
  match?: readonly string[];
  ignoreCase?: boolean;
  invert?: boolean;
  /** Channels to read from a server that follows several files: names or globs (the server matches them). */
  file?: readonly string[];
  /** Print `<file>:` before each line, like `grep -H`. */
  withFilename?: boolean;
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
  /** The stream's key, with a `redis://` URL. */
  stream?: string;
  /** Read as one consumer of this Redis consumer group. */
  group?: string;
  /** This listener's name in the group (default `<hostname>-<pid>`). */
  consumer?: string;
  /** Take over a group's events left pending this long by any consumer (ms). */
  claimIdleMs?: number;
  /** At this delivery, an event whose callback still fails is dead-lettered and acknowledged. */
  maxDeliveries?: number;
  signal?: AbortSignal;
  stdout?: Writable;
  /** Diagnostics, one line each (stderr in the CLI). */
  log?: (line: string) => void;
  /** How long shutdown waits for running callbacks before aborting them (default: the callback timeout, at most 10 s). */
  shutdownGraceMs?: number;
}

/** The defaults, written once: `evlog listen`'s flags show and use these. */
export const LISTEN_DEFAULTS = {
  url: 'http://127.0.0.1:8001',
  match: [] as readonly string[],
  file: [] as readonly string[],
  color: 'auto' as ColorWhen,
  retries: 3,
  retryDelayMs: 100,
  callbackTimeoutMs: 30_000,
  concurrency: 1,
  count: Number.POSITIVE_INFINITY,
  claimIdleMs: 30_000,
  maxDeliveries: 5,
};

const LONGEST_GRACE_MS = 10_000;

type Defaulted = keyof typeof LISTEN_DEFAULTS | 'log' | 'stdout' | 'shutdownGraceMs';
export type ResolvedListenOptions = Readonly<Omit<ListenOptions, Defaulted> & Required<Pick<ListenOptions, Defaulted>>>;

const stderrLog = (line: string): void => {
  process.stderr.write(`evlog: ${line}\n`);
};

export function isRedisUrl(url: string): boolean {
  return /^rediss?:\/\//i.test(url);
}

function checkRedisSource(o: ListenOptions & { url: string }): void {
  checkRedisUrl(o.url, 'url');
  if (o.stream === undefined || o.stream === '') throw new UsageError('EVLOG_ERR_OPTION', `--stream <key> is needed to read ${redactRedisUrl(o.url)}`);
  if (o.token !== undefined) throw new UsageError('EVLOG_ERR_OPTION', `--token is for evlog servers: give a Redis password in the URL (redis://user:password@host:port)`);
  if (o.group === undefined) {
    const groupOnly = o.consumer !== undefined ? 'consumer' : o.claimIdleMs !== undefined ? 'claim-idle' : o.maxDeliveries !== undefined ? 'max-deliveries' : undefined;
    if (groupOnly !== undefined) throw new UsageError('EVLOG_ERR_OPTION', `--${groupOnly} needs --group`);
    return;
  }
  if (o.group === '' || o.consumer === '') throw new UsageError('EVLOG_ERR_OPTION', `--${o.group === '' ? 'group' : 'consumer'} needs a name`);
  if (o.checkpoint !== undefined) throw new UsageError('EVLOG_ERR_OPTION', '--checkpoint cannot be used with --group: the group keeps the position');
  if (o.tail !== undefined) throw new UsageError('EVLOG_ERR_OPTION', '--tail cannot be used with --group: a group starts at its position (--from start for the whole stream)');
}

export function resolveListenOptions(options: ListenOptions): ResolvedListenOptions {
  const merged = { ...LISTEN_DEFAULTS, log: stderrLog, stdout: process.stdout, ...given(options) };
  const flags = merged.ignoreCase === true ? 'i' : '';
  eachParsedAs('match', merged.match, (pattern) => parseRegex(pattern, flags));
  eachParsedAs('file', merged.file, parseChannel);
  if (merged.count !== Number.POSITIVE_INFINITY) checkInt('count', merged.count, 1);
  if (merged.tail !== undefined) checkInt('tail', merged.tail, 0);
  checkInt('retries', merged.retries, 0);
  checkInt('retryDelayMs', merged.retryDelayMs, 0);
  checkInt('callbackTimeoutMs', merged.callbackTimeoutMs, 1);
  checkInt('concurrency', merged.concurrency, 1);
  if (merged.shutdownGraceMs !== undefined) checkInt('shutdownGraceMs', merged.shutdownGraceMs, 0);
  checkInt('claimIdleMs', merged.claimIdleMs, 1);
  checkInt('maxDeliveries', merged.maxDeliveries, 1);
  const redis = isRedisUrl(merged.url);
  // Checked on what was given: the defaults are always there.
  if (redis) checkRedisSource({ ...given(options), url: merged.url });
  else if (merged.stream !== undefined || merged.group !== undefined) {
    throw new UsageError('EVLOG_ERR_OPTION', `--${merged.stream !== undefined ? 'stream' : 'group'} reads a Redis stream: give a redis:// URL`);
  }
  if (merged.from !== undefined && !(redis ? isRedisResumePoint : isResumePoint)(merged.from)) {
    const expected = redis ? "a Redis entry id (<ms>-<seq>) or 'start'" : "a record id or 'start'";
    throw new UsageError('EVLOG_ERR_OPTION', `from: expected ${expected}, got ${JSON.stringify(merged.from.slice(0, 40))}`);
  }
  return Object.freeze({
    ...merged,
    consumer: merged.group === undefined ? undefined : merged.consumer ?? `${hostname()}-${process.pid}`,
    match: Object.freeze([...merged.match]),
    file: Object.freeze([...merged.file]),
    shutdownGraceMs: merged.shutdownGraceMs ?? Math.min(merged.callbackTimeoutMs, LONGEST_GRACE_MS),
  });
}
