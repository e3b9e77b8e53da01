import { describe, expect, it } from 'vitest';
import { getText, openStream, openWs } from '../../helpers/clients.js';
import { rawRequest } from '../../helpers/raw.js';
import { startServer } from '../../helpers/server.js';
import { tmpLog } from '../../helpers/tmp.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgrade = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n${extra}\r\n`;

describe('every request is guarded', () => {
  it('answers hostile paths with a 4xx and goes on serving, over HTTP and upgrade', async () => {
    const server = await startServer({ file: await tmpLog('a:1\n') });
    for (const path of ['//[', '//[::1', '/%', '/assets/%zz/%', '//', '/stream/..%2f..%2f', 'http://[', '*']) {
      const http = await rawRequest(server.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      expect(http.status, path).toBeGreaterThanOrEqual(400);
      expect(http.status, path).toBeLessThan(500);
      const ws = await rawRequest(server.port, upgrade(path));
      expect(ws.status, `upgrade ${path}`).toBeGreaterThanOrEqual(400);
      expect(ws.status, `upgrade ${path}`).toBeLessThan(500);
    }
    const stream = await openStream(`${server.url}/stream?tail=1`);
    expect(await stream.waitForLines(1)).toEqual(['a:1']);
  });

  it('answers a broken WebSocket handshake with 400 and a one-line reason', async () => {
    const server = await startServer({ file: await tmpLog('a:1\n') });
    const broken = [
      upgrade('/ws').replace(`Sec-WebSocket-Key: ${KEY}\r\n`, ''),
      upgrade('/ws').replace(KEY, 'short=='),
      upgrade('/ws').replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 99'),
      upgrade('/ws').replace('Upgrade: websocket', 'Upgrade: h2c'),
    ];
    for (const request of broken) {
      const answer = await rawRequest(server.port, request);
      expect(answer.status, request).toBe(400);
      expect(answer.text.split('\r\n\r\n')[1], request).toMatch(/^bad request: [^\n]+\n$/);
    }
    expect((await rawRequest(server.port, upgrade('/ws?tail=1'))).status).toBe(101);
  });

  it('answers CONNECT (a proxy tunnel) with 405 rather than closing without a word', async () => {
    const server = await startServer({ file: await tmpLog('a:1\n') });
    const answer = await rawRequest(server.port, 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n');
    expect(answer.status).toBe(405);
    expect(answer.text.split('\r\n\r\n')[1]).toBe('method not allowed\n');
  });

  it('refuses a query whose percent-encoding is malformed or not UTF-8, over HTTP and upgrade', async () => {
    const server = await startServer({ file: await tmpLog('a:1\n') });
    for (const query of ['match=%zz', 'match=%', 'match=a%2', 'tail=%31%', 'match=%c0%af', 'match=%E2%82']) {
      for (const request of [`GET /stream?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, upgrade(`/ws?${query}`)]) {
        const answer = await rawRequest(server.port, request);
        expect(answer.status, request.slice(0, 40)).toBe(400);
        expect(answer.text.split('\r\n\r\n')[1]).toMatch(/^bad request: [^\n]*percent-encoding[^\n]*\n$/);
      }
    }
    const fine = await rawRequest(server.port, 'GET /stream?match=%E2%82%AC%20x&tail=0&format=ndjson HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(fine.status).toBe(200);
  });

  it('answers a long URL with 414 and large headers with 431, with a one-line reason', async () => {
    const server = await startServer({ file: await tmpLog() });
    const cases: [string, number][] = [
      [`GET /stream?match=${'a'.repeat(10_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 414],
      [`GET /stream?match=${'a'.repeat(1024 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 414],
      [`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(100_000)}\r\n\r\n`, 431],
      [`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${'X-Many: 1\r\n'.repeat(3000)}\r\n`, 431],
      [upgrade(`/ws?match=${'a'.repeat(20_000)}`), 414],
    ];
    for (const [request, status] of cases) {
      const answer = await rawRequest(server.port, request);
      expect(answer.status, request.slice(0, 40)).toBe(status);
      expect(answer.text.split('\r\n\r\n')[1]).toMatch(/^[^\n]+\n$/);
    }
  });

  it('takes the Bearer scheme in any case', async () => {
    const server = await startServer({ file: await tmpLog('a:1\n'), token: 's3cret' });
    for (const scheme of ['bearer', 'BEARER', 'Bearer', 'bEaReR']) {
      expect((await getText(`${server.url}/metrics`, { authorization: `${scheme} s3cret` })).status, scheme).toBe(200);
    }
    expect((await getText(`${server.url}/metrics`, { authorization: 'Basic s3cret' })).status).toBe(401);
    const ws = await openWs(`${server.url.replace('http', 'ws')}/ws?tail=1&format=text`, { authorization: 'bearer s3cret' });
    expect(await ws.waitForLines(1)).toEqual(['a:1']);
  });

  it('tells anyone /healthz is ok, and only the token holder what it serves', async () => {
    const file = await tmpLog('a:1\n');
    const server = await startServer({ file, token: 's3cret' });
    const open = await getText(`${server.url}/healthz`);
    expect(open.status).toBe(200);
    expect(JSON.parse(open.body)).toEqual({ status: 'ok' });
    const detailed = JSON.parse((await getText(`${server.url}/healthz`, { authorization: 'Bearer s3cret' })).body);
    expect(detailed).toMatchObject({ status: 'ok', file, size: 4 });
    const noToken = await startServer({ file });
    expect(JSON.parse((await getText(`${noToken.url}/healthz`)).body)).toMatchObject({ status: 'ok', file });
  });
});

describe('Host and Origin checks', () => {
  const hostOf = (url: string): string => new URL(url).host;

  it('answers only loopback Host names, and --allow-host names', async () => {
    const server = await startServer({ file: await tmpLog('a:1\n'), allowHosts: ['logs.example'] });
    const port = server.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`, `LOCALHOST:${port}`, `logs.example:${port}`, 'Logs.Example']) {
      expect((await rawRequest(port, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`)).status, host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `logs.example.evil:${port}`]) {
      const answer = await rawRequest(port, `GET /stream HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      expect(answer.status, host).toBe(403);
      expect((await rawRequest(port, upgrade('/ws').replace('Host: 127.0.0.1', `Host: ${host}`))).status, host).toBe(403);
    }
    expect((await rawRequest(port, `GET /healthz HTTP/1.1\r\nHost: a\r\nHost: localhost\r\n\r\n`)).status).toBe(400);
    const noHost = await rawRequest(port, 'GET /healthz HTTP/1.1\r\n\r\n');
    expect(noHost.status).toBe(400);
    expect(noHost.text.split('\r\n\r\n')[1]).toBe('bad request: no Host header\n');
    for (const path of ['/stream', '/ws']) expect((await rawRequest(port, `GET ${path} HTTP/1.1\r\n\r\n`)).status, path).toBe(400);
  });

  it('refuses pages from other origins on /stream and /ws, and lets --allow-origin in with CORS headers', async () => {
    const allowed = 'http://127.0.0.1:1234';
    const server = await startServer({ file: await tmpLog('a:1\n'), allowOrigins: [allowed] });
    const ws = server.url.replace('http', 'ws');
    const foreign = 'http://localhost:9999';
    expect((await getText(`${server.url}/stream?tail=1`, { origin: foreign })).status).toBe(403);
    await expect(openWs(`${ws}/ws`, { origin: foreign })).rejects.toMatchObject({ status: 403 });
    await expect(openWs(`${ws}/ws`, { origin: 'null' })).rejects.toMatchObject({ status: 403 });

    // The server's own origin is always served, with no CORS headers.
    const own = await openStream(`${server.url}/stream?tail=1`, { origin: server.url });
    expect(own.response.statusCode).toBe(200);
    expect(own.response.headers['access-control-allow-origin']).toBeUndefined();
    expect(await (await openWs(`${ws}/ws?tail=1&format=text`, { origin: `http://${hostOf(server.url)}` })).waitForLines(1)).toEqual(['a:1']);

    const cross = await openStream(`${server.url}/stream?tail=1`, { origin: allowed });
    expect(cross.response.headers).toMatchObject({
      'access-control-allow-origin': allowed,
      vary: 'Origin',
      'access-control-expose-headers': 'evlog-start',
    });
    expect(await cross.waitForLines(1)).toEqual(['a:1']);
    expect(await (await openWs(`${ws}/ws?tail=1&format=text`, { origin: allowed })).waitForLines(1)).toEqual(['a:1']);

    const preflight = await fetch(`${server.url}/stream`, {
      method: 'OPTIONS',
      headers: { origin: allowed, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const refused = await fetch(`${server.url}/stream`, { method: 'OPTIONS', headers: { origin: foreign, 'access-control-request-method': 'GET' } });
    expect(refused.status).toBe(403);
  });
});
