/** `ws(s)://…/ws`: each message is a batch of NDJSON records separated by `\n`. */
import WebSocket from 'ws';
import { HttpStatusError } from '../errors.js';
import { startIdOf, type Connection, type OpenOptions } from './connection.js';

/** Messages queued before the socket is paused: the listener's own backpressure. */
const MAX_QUEUED = 64;

export function openWs({ url, token, ca, maxLineBytes }: OpenOptions): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    // One message carries a batch of records; a batch far larger than a line means a broken peer.
    const ws = new WebSocket(url, { headers, maxPayload: maxLineBytes * 4, perMessageDeflate: false, ...(ca !== undefined && { ca }) });
    const queue: string[][] = [];
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
    ws.on('error', (err) => {
      failure ??= err;
      reject(err);
      poke();
    });
    ws.on('message', (data) => {
      const lines = data.toString().split('\n').filter((l) => l !== '');
      if (lines.length > 0) queue.push(lines);
      if (queue.length >= MAX_QUEUED) ws.pause();
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
              if (queue.length < MAX_QUEUED / 2 && ws.isPaused) ws.resume();
              return batch;
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
