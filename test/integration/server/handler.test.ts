import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler, type EvlogHandler } from '../../../src/index.js';
import { getText, openStream, openWs } from '../../helpers/clients.js';
import { appendLines, expectSequence, numbered } from '../../helpers/lines.js';
import { tmpLog } from '../../helpers/tmp.js';

const open: { handler: EvlogHandler; server: Server }[] = [];
afterEach(async () => {
  for (const { handler, server } of open.splice(0)) {
    await handler.close();
    server.close();
  }
});

/** The embedder's own server: its own route, evlog's paths handed to the handler. */
async function embed(file: string): Promise<{ url: string; handler: EvlogHandler }> {
  const handler = await createHandler({ file });
  const server = createServer((req, res) => {
    if (req.url === '/hello') return void res.end('hello from the app\n');
    handler.handle(req, res);
  });
  server.on('upgrade', (req, socket, head) => handler.handleUpgrade(req, socket, head));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  open.push({ handler, server });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, handler };
}

describe('evlog on an http.Server the caller owns', () => {
  it('streams over HTTP and WebSocket beside the app\'s own routes', async () => {
    const file = await tmpLog(numbered(0, 3));
    const { url } = await embed(file);
    expect((await getText(`${url}/hello`)).body).toBe('hello from the app\n');
    expect(JSON.parse((await getText(`${url}/healthz`)).body)).toMatchObject({ status: 'ok', file, exists: true });

    const http = await openStream(`${url}/stream?from=start`);
    const ws = await openWs(`${url.replace('http', 'ws')}/ws?from=start&format=text`);
    await appendLines(file, 3, 2);
    expectSequence(await http.waitForLines(5), 5);
    expectSequence(await ws.waitForLines(5), 5);
  });

  it('ends its streams on close and leaves the server to its owner', async () => {
    const file = await tmpLog();
    const { url, handler } = await embed(file);
    const http = await openStream(`${url}/stream`);
    const ended = once(http.response, 'end');
    await handler.close();
    await ended;
    expect((await getText(`${url}/hello`)).status).toBe(200);
    // Closing twice is the same close.
    await handler.close();
  });
});
