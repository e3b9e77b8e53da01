/**
 * `--http`: the app of the event-logger pattern. `GET /<event>?session=<id>` appends
 * `<id>:<event>` and answers `:)`. A visitor without a session gets one, kept in a cookie so a
 * browser stays the same session across requests.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { printable } from '../errors.js';
import { isValidName } from '../wire/record.js';
import { listenOn, urlFor } from '../bind.js';
import { makeSessionIds } from './synthetic.js';
import type { EventWriter } from './writer.js';

const COOKIE = 'evlog_session';

export interface HttpAppOptions {
  port: number;
  host?: string;
  count?: number;
  signal?: AbortSignal;
  /** Told the real address once listening (port 0 picks one). */
  onListening?: (url: string) => void;
}

function sessionFromCookie(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === COOKIE && value) return decodeURIComponent(value);
  }
  return undefined;
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export async function runHttpApp(writer: EventWriter, opts: HttpAppOptions): Promise<void> {
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  let accepted = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) reply(res, 500, `${err.message}\n`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') return reply(res, 405, 'only GET\n', { allow: 'GET' });
    const url = new URL(req.url ?? '/', 'http://app');
    if (url.pathname === '/favicon.ico') return reply(res, 404, 'not found\n');
    let event: string;
    try {
      event = decodeURIComponent(url.pathname.slice(1));
    } catch {
      return reply(res, 400, 'bad event name: invalid percent-encoding\n');
    }
    if (!isValidName(event) || event.includes('/')) {
      return reply(res, 400, `bad event name '${printable(event)}': use GET /<event> with no ':', '/', whitespace or control characters\n`);
    }
    let session = url.searchParams.get('session') ?? sessionFromCookie(req);
    const headers: Record<string, string> = {};
    if (session === undefined) {
      session = makeSessionIds(1)[0]!;
      headers['set-cookie'] = `${COOKIE}=${session}; Path=/; SameSite=Lax; HttpOnly`;
    }
    if (!isValidName(session)) {
      return reply(res, 400, `bad session '${printable(session)}': no ':', whitespace or control characters\n`);
    }
    if (accepted >= limit) return reply(res, 503, 'done\n');
    accepted++;
    if (!writer.writeEvent(session, event)) await writer.drain();
    reply(res, 200, ':)', headers);
    if (accepted >= limit) done();
  }

  const address = await listenOn(server, opts.port, opts.host ?? '127.0.0.1');
  opts.onListening?.(urlFor(address));
  if (limit === 0) done();
  opts.signal?.addEventListener('abort', done, { once: true });
  await finished;
  opts.signal?.removeEventListener('abort', done);
  const closed = once(server, 'close');
  server.close();
  server.closeIdleConnections();
  await closed;
}
