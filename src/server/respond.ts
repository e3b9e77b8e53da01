/**
 * How the server says no: a status and a one-line reason, as an HTTP response or, for an upgrade
 * we refuse, written raw on the socket so WebSocket clients can report the status.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Refusal {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export function refusal(status: number, body: string, headers?: Record<string, string>): Refusal {
  return headers ? { status, body, headers } : { status, body };
}

export function isRefusal(value: object): value is Refusal {
  return 'status' in value;
}

export function plain(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const text = `${body}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

export function refuse(res: ServerResponse, r: Refusal): void {
  plain(res, r.status, r.body, r.headers);
}

/** How long a refused peer may take to read the answer before its connection is cut. */
const LINGER_MS = 5000;

/** A raw HTTP/1.1 answer that closes the connection: for upgrades and for requests Node could not parse. */
export function rawAnswer(socket: Duplex, r: Refusal): void {
  if (!socket.writable) return void socket.destroy();
  // Closing with unread input makes the kernel send a reset, which can destroy the answer before the
  // peer reads it: read and drop what it still sends, for a bounded time.
  socket.resume();
  const cut = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(cut));
  const text = `${r.body}\n`;
  const extra = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`,
  );
}
