/** Server options: defaults merged once, validated, frozen (as ws's WebSocketServer does). */
import { UsageError } from '../errors.js';
import { checkInt, eachParsedAs, given } from '../option-checks.js';
import { parseHostName, parseOrigin } from '../options.js';
import { checkRedisUrl, redactRedisUrl } from '../redis/client.js';

/** A `redis://` (or `rediss://`) URL where a file is expected: serve that Redis's `stream`. */
export const isRedisSource = (file: string): boolean => /^rediss?:\/\//i.test(file);

/** The Redis options that go together, checked before anything connects. */
function checkRedis(options: ServerOptions, files: readonly string[]): void {
  if (options.redis !== undefined) checkRedisUrl(options.redis, '--redis');
  const url = files.find(isRedisSource);
  if (url !== undefined) {
    checkRedisUrl(url, 'serve');
    if (files.length > 1) throw new UsageError('EVLOG_ERR_OPTION', `serve ${redactRedisUrl(url)} serves one Redis stream, without files beside it`);
    if (options.stream === undefined || options.stream === '') throw new UsageError('EVLOG_ERR_OPTION', `serving ${redactRedisUrl(url)} needs --stream <key>`);
    if (options.redis !== undefined) throw new UsageError('EVLOG_ERR_OPTION', '--redis mirrors files; a Redis stream is served as it is');
  } else if (options.stream !== undefined) {
    throw new UsageError('EVLOG_ERR_OPTION', '--stream goes with a redis:// URL in place of the file');
  }
}

export interface TlsFiles {
  /** PEM certificate (chain) and private key, as text or bytes. */
  cert: string | Buffer;
  key: string | Buffer;
}

export interface ServerOptions {
  /** The files to follow, each a channel named by its path as given. */
  files?: readonly string[];
  /** One file to follow: the same as `files: [file]`. */
  file?: string;
  /**
   * Where a server of several files keeps the index its merged streams resume from (one
   * subdirectory per set of files; see merge/state-dir.ts). Default: `EVLOG_STATE_DIR`, else
   * `$XDG_STATE_HOME/evlog`, else `~/.local/state/evlog`.
   */
  stateDir?: string;
  /** Bytes of that index kept on disk: older entries are dropped, and ids in them answered with a gap. */
  stateMaxBytes?: number;
  port?: number;
  host?: string;
  token?: string;
  /** Browser origins (`https://dash.example:8443`) allowed to read the streams besides the server's own. */
  allowOrigins?: readonly string[];
  /** Host names to answer besides loopback names (a reverse proxy's or a DNS name). */
  allowHosts?: readonly string[];
  /** Serve HTTPS and WSS with this certificate and key. */
  tls?: TlsFiles;
  maxLineBytes?: number;
  maxClients?: number;
  /** Comment line on idle SSE streams, so proxies and browsers keep them open. */
  sseHeartbeatMs?: number;
  /** WebSocket ping interval; a peer that missed the previous pong is terminated. */
  wsPingMs?: number;
  /** Safety-net re-check of the file, for changes no watcher reported. */
  pollMs?: number;
  /** How long close() waits for clients to finish before cutting them. */
  shutdownGraceMs?: number;
  /**
   * A connection that has not sent a whole request head by then is closed: a client trickling
   * header lines (or sending nothing) cannot hold a descriptor for long. Streams, once asked for,
   * are not affected.
   */
  headersTimeoutMs?: number;
  onWarning?: (message: string) => void;
  /** Also mirror every line into Redis Streams at this URL (redis/mirror.ts). */
  redis?: string;
  /** The mirror's stream of a file is `<redisPrefix><file name>`. */
  redisPrefix?: string;
  /** Streams are trimmed to about this many entries. */
  redisMaxlen?: number;
  /** With a `redis://` URL as the one file: serve this stream of that Redis instead of files. */
  stream?: string;
}

export type ResolvedServerOptions = Readonly<
  Required<Omit<ServerOptions, 'token' | 'tls' | 'file' | 'stateDir' | 'redis' | 'stream'>> & {
    token: string | undefined;
    tls: TlsFiles | undefined;
    stateDir: string | undefined;
    redis: string | undefined;
    stream: string | undefined;
  }
>;

/** The longest line a record is made of whole (see resolveServerOptions). */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** The defaults, written once: `evlog serve`'s flags show and use these. */
export const SERVER_DEFAULTS = {
  port: 8001,
  host: '127.0.0.1',
  allowOrigins: [] as readonly string[],
  allowHosts: [] as readonly string[],
  maxLineBytes: 1024 * 1024,
  maxClients: 10_000,
  sseHeartbeatMs: 15_000,
  wsPingMs: 30_000,
  pollMs: 1000,
  shutdownGraceMs: 1000,
  headersTimeoutMs: 10_000,
  // About 450,000 entries; held in memory too, at about four times their size on disk.
  stateMaxBytes: 16 * 1024 * 1024,
  redisPrefix: 'evlog:',
  redisMaxlen: 1_000_000,
  onWarning: (message: string): void => {
    process.stderr.write(`evlog: ${message}\n`);
  },
};

export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  const { file, ...rest } = given(options);
  const merged = { ...SERVER_DEFAULTS, ...rest } as Required<ServerOptions>;
  if (file !== undefined && options.files !== undefined) throw new UsageError('EVLOG_ERR_OPTION', 'give file or files, not both');
  const files = file !== undefined ? [file] : [...(merged.files ?? [])];
  if (files.length === 0 || files.some((f) => typeof f !== 'string' || f === '')) throw new UsageError('EVLOG_ERR_OPTION', 'file is required');
  if (new Set(files).size !== files.length) throw new UsageError('EVLOG_ERR_OPTION', `a file is given twice: ${files.find((f, i) => files.indexOf(f) !== i)}`);
  checkInt('stateMaxBytes', merged.stateMaxBytes, 4096);
  checkInt('port', merged.port, 0);
  if (merged.port > 65535) throw new UsageError('EVLOG_ERR_OPTION', `port must be 0 to 65535, got ${merged.port}`);
  checkInt('maxLineBytes', merged.maxLineBytes, 1);
  // Records are written in WebAssembly memory, 32-bit addressed: a line's record (six bytes a byte
  // at worst) with its batch must stay within 2 GiB.
  if (merged.maxLineBytes > MAX_LINE_BYTES) {
    throw new UsageError('EVLOG_ERR_OPTION', `maxLineBytes must be at most ${MAX_LINE_BYTES} (256 MiB), got ${merged.maxLineBytes}`);
  }
  checkInt('maxClients', merged.maxClients, 1);
  checkInt('headersTimeoutMs', merged.headersTimeoutMs, 1);
  if (merged.token === '') throw new UsageError('EVLOG_ERR_OPTION', 'token must not be empty');
  if (options.tls !== undefined && (!options.tls.cert || !options.tls.key)) {
    throw new UsageError('EVLOG_ERR_OPTION', 'tls needs both a certificate and a key');
  }
  checkInt('redisMaxlen', merged.redisMaxlen, 1);
  checkRedis(options, files);
  return Object.freeze({
    ...merged,
    files: Object.freeze(files),
    stateDir: options.stateDir || undefined,
    allowOrigins: eachParsedAs('allowOrigins', merged.allowOrigins, parseOrigin),
    allowHosts: eachParsedAs('allowHosts', merged.allowHosts, parseHostName),
    token: options.token,
    tls: options.tls,
    redis: options.redis,
    stream: options.stream,
  });
}
