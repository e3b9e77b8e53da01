/** `ws(s)://…/ws`: each message is a batch of NDJSON records separated by `\n`, handed on as bytes. */
import WebSocket from 'ws';
import { HttpStatusError } from '../errors.js';
import { startIdOf, type Connection, type OpenOptions } from './connection.js';
import { recordTooLong } from './lines.js';

/**
 * Messages, and bytes of them, queued before the socket is paused: the listener's own
 * backpressure, bounded in bytes too, since a message may be as large as a record may be.
 */
const MAX_QUEUED = 64;
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export function openWs({ url, token, ca, maxLineBytes }: OpenOptions): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    // One message carries a batch of records: the server's batches stay well under a record's
    // limit, so a longer message means a broken or hostile peer.
    const ws = new WebSocket(url, { headers, maxPayload: maxLineBytes, perMessageDeflate: false, ...(ca !== undefined && { ca }) });
    const queue: Buffer[] = [];
    const sizes: number[] = [];
    let queuedBytes = 0;
    let ended = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const poke = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };

    let startId: string | undefined;
    ws.on('upgrade', (res) => (startId = startIdOf(res.headers)));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => reject(new HttpStatusError(res.statusCode ?? 0, body.trim().split('\n')[0] || `HTTP ${res.statusCode}`)));
    });
    ws.on('error', (err: Error & { code?: string }) => {
      failure ??= err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? recordTooLong(maxLineBytes) : err;
      reject(err);
      poke();
    });
    ws.on('message', (data) => {
      const lines = data as Buffer;
      if (lines.length > 0) {
        queue.push(lines);
        sizes.push(lines.length);
        queuedBytes += lines.length;
      }
      if (queue.length >= MAX_QUEUED || queuedBytes >= MAX_QUEUED_BYTES) ws.pause();
      poke();
    });
    ws.on('close', (code, reason) => {
      // 1000 and 1001 are orderly ends (1001: the server is shutting down); anything else broke.
      if (code === 1000 || code === 1001) ended = true;
      else failure ??= new Error(`connection closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
      poke();
    });
    ws.on('open', () =>
      resolve({
        startId,
        async next() {
          for (;;) {
            const batch = queue.shift();
            if (batch) {
              queuedBytes -= sizes.shift()!;
              if (ws.isPaused && queue.length < MAX_QUEUED / 2 && queuedBytes < MAX_QUEUED_BYTES / 2) ws.resume();
              return [batch];
            }
            if (failure) throw failure;
            if (ended) return undefined;
            await new Promise<void>((r) => (wake = r));
          }
        },
        close: () => ws.terminate(),
      }),
    );
  });
}
