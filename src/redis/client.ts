/**
 * The one way evlog opens Redis (serve's mirror, serve redis://, listen redis://): the URL checked
 * before anything starts, the first connection made or failed with one line naming the URL (never
 * its password), and later losses retried by node-redis with a capped backoff. node-redis (some
 * 500 modules) is loaded only when a connection is opened: every command imports this file, and
 * most never talk to Redis.
 */
import type { RedisClientType } from '@redis/client';
import { describeSystemError, RuntimeError, UsageError } from '../errors.js';

export type RedisClient = RedisClientType;

/** The URL as it may be shown: the password replaced. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    // As given, unless there is a password to hide (rewriting it would show 'redis://' as 'redis:/').
    if (!u.password) return url;
    u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    // Not a URL (a bad port, say), yet it may hold `user:password@`: hide what stands there.
    return url.replace(/^([^/]*\/\/[^/@:]*:)[^/]*@/, '$1***@');
  }
}

/** Checks `url` is a Redis URL (`redis://` or `rediss://`, host, optional port and db number). */
export function checkRedisUrl(url: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError('EVLOG_ERR_REDIS_URL', `${flag}: '${redactRedisUrl(url)}' is not a URL (expected redis://host:port[/db])`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UsageError('EVLOG_ERR_REDIS_URL', `${flag}: '${redactRedisUrl(url)}' is not a redis:// or rediss:// URL`);
  }
  if (!u.hostname) throw new UsageError('EVLOG_ERR_REDIS_URL', `${flag}: '${redactRedisUrl(url)}' names no host`);
  if (u.pathname !== '' && u.pathname !== '/' && !/^\/\d+$/.test(u.pathname)) {
    throw new UsageError('EVLOG_ERR_REDIS_URL', `${flag}: '${redactRedisUrl(url)}': the path must be a database number (/0)`);
  }
  return url;
}

export interface OpenRedisOptions {
  /** Shown in `CLIENT LIST` (`evlog-serve`, `evlog-listen`). */
  name: string;
  /** Ceiling of the reconnect backoff after the first connection (ms). */
  maxBackoffMs?: number;
  /** Told once per lost connection (the client reconnects on its own). */
  onError?: (message: string) => void;
}

/**
 * A connected client. Fails with a RuntimeError (exit 1) when the first connection cannot be made:
 * a server that is not there at start is a mistake to say at once, not to wait out.
 */
export async function openRedis(url: string, opts: OpenRedisOptions): Promise<RedisClient> {
  let connected = false;
  const maxBackoff = opts.maxBackoffMs ?? 5000;
  const { createClient } = await import('@redis/client');
  // A password kept out of the command line, where `ps` shows it: taken when the URL gives none.
  const password = new URL(url).password === '' ? process.env['EVLOG_REDIS_PASSWORD'] || undefined : undefined;
  const client = createClient({
    url,
    ...(password === undefined ? {} : { password }),
    name: opts.name,
    socket: {
      connectTimeout: 5000,
      // Before the first connection: fail (said at once); after it: retry for ever, jittered.
      reconnectStrategy: (retries: number) =>
        connected ? Math.min(maxBackoff, 50 * 2 ** Math.min(retries, 10)) * (0.5 + Math.random() / 2) : false,
    },
  }) as RedisClientType;
  let lastError = '';
  // node-redis emits 'error' for every failed attempt; without a listener that would throw.
  client.on('error', (err: Error) => {
    const message = describeSystemError(err);
    if (connected && message !== lastError) opts.onError?.(`Redis at ${redactRedisUrl(url)}: ${message}`);
    lastError = message;
  });
  client.on('ready', () => {
    lastError = '';
  });
  try {
    await client.connect();
  } catch (err) {
    const reason = describeSystemError(err as Error);
    // Redis's own words on a missing or wrong password are long; say what to do instead.
    const said = /^(NOAUTH|WRONGPASS)/.test(reason) ? `${reason.split(' ')[0]}: a password is needed or wrong (give it in the URL, or in EVLOG_REDIS_PASSWORD)` : reason;
    throw new RuntimeError('EVLOG_ERR_REDIS_CONNECT', `cannot reach Redis at ${redactRedisUrl(url)}: ${said}`, {
      cause: err,
    });
  }
  connected = true;
  return client;
}
