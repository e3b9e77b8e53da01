/** Server options: defaults merged once, validated, frozen (as ws's WebSocketServer does). */
import { UsageError } from '../errors.js';

export interface ServerOptions {
  file: string;
  port?: number;
  host?: string;
  token?: string;
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
  onWarning?: (message: string) => void;
}

export type ResolvedServerOptions = Readonly<Required<Omit<ServerOptions, 'token'>> & { token: string | undefined }>;

const defaults = {
  port: 8001,
  host: '127.0.0.1',
  maxLineBytes: 1024 * 1024,
  maxClients: 10_000,
  sseHeartbeatMs: 15_000,
  wsPingMs: 30_000,
  pollMs: 1000,
  shutdownGraceMs: 1000,
  onWarning: (message: string): void => {
    process.stderr.write(`evlog: ${message}\n`);
  },
};

function positiveInt(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError('EVLOG_ERR_OPTION', `${name} must be a whole number >= ${min}, got ${value}`);
  }
}

export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const merged = { ...defaults, ...given } as unknown as Required<ServerOptions>;
  if (typeof merged.file !== 'string' || merged.file === '') throw new UsageError('EVLOG_ERR_OPTION', 'file is required');
  positiveInt('port', merged.port, 0);
  if (merged.port > 65535) throw new UsageError('EVLOG_ERR_OPTION', `port must be 0 to 65535, got ${merged.port}`);
  positiveInt('maxLineBytes', merged.maxLineBytes, 1);
  positiveInt('maxClients', merged.maxClients, 1);
  if (merged.token === '') throw new UsageError('EVLOG_ERR_OPTION', 'token must not be empty');
  return Object.freeze({ ...merged, token: options.token });
}
