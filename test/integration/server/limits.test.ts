import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getText, openStream, openWs } from '../../helpers/clients.js';
import { startServer } from '../../helpers/server.js';
import { tmpLog } from '../../helpers/tmp.js';
import { createServer } from '../../../src/server/index.js';

const logFile = tmpLog;

describe('auth', () => {
  it('requires the token on every endpoint, as Bearer header or ?token=', async () => {
    const server = await startServer({ file: await logFile('a:1\n'), token: 's3cret' });
    for (const route of ['/stream', '/metrics']) {
      const denied = await getText(`${server.url}${route}`);
      expect(denied.status, route).toBe(401);
      expect(denied.headers.get('www-authenticate')).toBe('Bearer');
      expect((await getText(`${server.url}${route}?token=wrong`)).status).toBe(401);
    }
    expect((await getText(`${server.url}/healthz`, { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await getText(`${server.url}/healthz?token=s3cret`)).status).toBe(200);
    const stream = await openStream(`${server.url}/stream?tail=1`, { authorization: 'Bearer s3cret' });
    expect(await stream.waitForLines(1)).toEqual(['a:1']);
  });

  it('refuses the WebSocket upgrade with 401 without the token', async () => {
    const server = await startServer({ file: await logFile('a:1\n'), token: 's3cret' });
    const ws = server.url.replace('http', 'ws');
    await expect(openWs(`${ws}/ws`)).rejects.toMatchObject({ status: 401 });
    await expect(openWs(`${ws}/ws?token=nope`)).rejects.toMatchObject({ status: 401 });
    const ok = await openWs(`${ws}/ws?token=s3cret&tail=1&format=text`);
    expect(await ok.waitForLines(1)).toEqual(['a:1']);
    const bearer = await openWs(`${ws}/ws?tail=1&format=text`, { authorization: 'Bearer s3cret' });
    expect(await bearer.waitForLines(1)).toEqual(['a:1']);
  });
});

describe('limits and errors', () => {
  it('answers connections beyond --max-clients with 503, on HTTP and WebSocket', async () => {
    const server = await startServer({ file: await logFile(), maxClients: 2 });
    await openStream(`${server.url}/stream`);
    await openWs(`${server.url.replace('http', 'ws')}/ws`);
    expect((await getText(`${server.url}/stream`)).status).toBe(503);
    await expect(openWs(`${server.url.replace('http', 'ws')}/ws`)).rejects.toMatchObject({ status: 503 });
    expect((await getText(`${server.url}/healthz`)).status).toBe(200);
  });

  it('frees a client slot when a client leaves', async () => {
    const server = await startServer({ file: await logFile(), maxClients: 1 });
    const first = await openStream(`${server.url}/stream`);
    first.close();
    await expect.poll(async () => (await getText(`${server.url}/healthz`)).body).toMatch(/"total":0/);
    const second = await openStream(`${server.url}/stream`);
    expect(second.response.statusCode).toBe(200);
  });

  it('fails to start on a busy port, on a directory, and on bad options', async () => {
    const file = await logFile();
    const server = await startServer({ file });
    await expect(createServer({ file, port: server.port, onWarning: () => undefined })).rejects.toMatchObject({ code: 'EVLOG_ERR_LISTEN', exitCode: 1 });
    await expect(createServer({ file: path.dirname(file), port: 0 })).rejects.toMatchObject({ code: 'EVLOG_ERR_FILE_READ', exitCode: 1 });
    await expect(createServer({ file, port: 0, maxLineBytes: 0 })).rejects.toMatchObject({ exitCode: 2 });
    // Beyond what a record in 32-bit addressed memory can hold (a 300 MiB line once gave an empty stream).
    await expect(createServer({ file, port: 0, maxLineBytes: 256 * 2 ** 20 + 1 })).rejects.toMatchObject({ exitCode: 2, message: /at most 268435456/ });
  });
});
