import { request, type IncomingMessage } from 'node:http';
import { vi, afterEach } from 'vitest';
import WebSocket from 'ws';

const cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.splice(0).forEach((fn) => fn());
});

export interface Collected {
  /** Everything received so far, as text. */
  text(): string;
  /** Non-empty `\n`-separated lines received so far. */
  lines(): string[];
  /** Number of socket reads (HTTP) or messages (WS) that carried data. */
  chunks(): number;
  waitForLines(n: number, timeout?: number): Promise<string[]>;
  close(): void;
}

function collector(close: () => void): Collected & { push(data: string): void } {
  let text = '';
  let chunks = 0;
  const lines = (): string[] => text.split('\n').filter((l) => l !== '');
  return {
    push(data) {
      text += data;
      chunks++;
    },
    text: () => text,
    lines,
    chunks: () => chunks,
    waitForLines: (n, timeout = 10_000) =>
      vi.waitFor(() => {
        const got = lines();
        if (got.length < n) throw new Error(`got ${got.length} of ${n} lines; last: ${got.slice(-3).join(' | ')}`);
        return got;
      }, { timeout, interval: 10 }),
    close,
  };
}

export interface HttpStream extends Collected {
  response: IncomingMessage;
}

/** A streaming GET that collects the body; resolves once the response headers arrived. */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<HttpStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const c = collector(() => req.destroy());
      res.setEncoding('utf8');
      res.on('data', (d: string) => c.push(d));
      res.on('error', () => undefined);
      resolve(Object.assign(c, { response: res }));
    });
    req.on('error', reject);
    req.end();
    cleanups.push(() => req.destroy());
  });
}

/** The status and body of a request that is expected to end. */
export async function getText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export interface WsStream extends Collected {
  ws: WebSocket;
  messages(): string[];
  closed: Promise<{ code: number; reason: string }>;
}

/** A WebSocket client that collects messages; resolves once open, rejects with the HTTP status of a refused upgrade. */
export function openWs(url: string, headers: Record<string, string> = {}): Promise<WsStream> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: string[] = [];
    const c = collector(() => ws.terminate());
    const closed = new Promise<{ code: number; reason: string }>((res) =>
      ws.on('close', (code, reason) => res({ code, reason: reason.toString() })),
    );
    ws.on('message', (data) => {
      const text = data.toString();
      messages.push(text);
      c.push(`${text}\n`);
    });
    ws.on('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    ws.on('error', reject);
    ws.on('open', () => resolve(Object.assign(c, { ws, messages: () => messages, closed })));
    cleanups.push(() => ws.terminate());
  });
}
