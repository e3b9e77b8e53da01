import { appendFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { getText, openStream, openWs } from '../../helpers/clients.js';
import { appendLines, expectSequence, numbered } from '../../helpers/lines.js';
import { startServer } from '../../helpers/server.js';
import { tmpLog } from '../../helpers/tmp.js';

const logFile = tmpLog;

const wsUrl = (httpUrl: string, query = ''): string => `${httpUrl.replace(/^http/, 'ws')}/ws${query}`;

describe('GET /ws', () => {
  it('sends batches of NDJSON records, several lines per message', async () => {
    const file = await logFile();
    const server = await startServer({ file });
    const client = await openWs(wsUrl(server.url));
    await appendLines(file, 0, 5000);
    const records = (await client.waitForLines(5000)).map((l) => JSON.parse(l) as { line: string; session: string });
    expectSequence(records.map((r) => r.line), 5000);
    expect(records[0]).toMatchObject({ session: 'seq', event: '0' });
    expect(client.messages().length).toBeLessThan(100);
    expect(client.messages()[0]!.endsWith('\n')).toBe(false);
  });

  it('sends raw lines with format=text, tail and match applied', async () => {
    const file = await logFile(numbered(0, 5));
    const server = await startServer({ file });
    const client = await openWs(wsUrl(server.url, `?format=text&tail=3&match=${encodeURIComponent('[34]$')}`));
    expect(await client.waitForLines(2)).toEqual(['seq:3', 'seq:4']);
  });

  it('keeps text frames valid UTF-8 when the file is not', async () => {
    const file = await logFile();
    const server = await startServer({ file });
    const client = await openWs(wsUrl(server.url, '?format=text'));
    await appendFile(file, Buffer.from([0x61, 0xff, 0x0a]));
    expect(await client.waitForLines(1)).toEqual(['a\ufffd']);
  });

  it('gives every client at the live edge its own request while they share reads and encodings', async () => {
    const file = await logFile();
    const server = await startServer({ file });
    const even = encodeURIComponent('[02468]$');
    const [ndjson, ndjson2, text, matched, inverted, httpText] = await Promise.all([
      openWs(wsUrl(server.url)),
      openWs(wsUrl(server.url)),
      openWs(wsUrl(server.url, '?format=text')),
      openWs(wsUrl(server.url, `?format=text&match=${even}`)),
      openWs(wsUrl(server.url, `?format=text&match=${even}&invert=1`)),
      openStream(`${server.url}/stream`),
    ]);
    for (let i = 0; i < 2000; i += 100) await appendLines(file, i, 100);
    const line = (l: string): string => (JSON.parse(l) as { line: string }).line;
    expectSequence((await ndjson.waitForLines(2000)).map(line), 2000);
    expectSequence((await ndjson2.waitForLines(2000)).map(line), 2000);
    expectSequence(await text.waitForLines(2000), 2000);
    expectSequence(await httpText.waitForLines(2000), 2000);
    const evens = await matched.waitForLines(1000);
    const odds = await inverted.waitForLines(1000);
    expect(evens.every((l) => /[02468]$/.test(l)) && odds.every((l) => /[13579]$/.test(l))).toBe(true);
    expectSequence([...evens, ...odds].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))), 2000);
    // Six clients read the file: shared, that is about one read of each byte; apart, six.
    const { size } = await stat(file);
    const metrics = (await getText(`${server.url}/metrics`)).body;
    const bytesRead = Number(/^evlog_file_bytes_read_total (\d+)$/m.exec(metrics)![1]);
    expect(bytesRead).toBeGreaterThanOrEqual(size);
    expect(bytesRead).toBeLessThan(3 * size);
  });

  it('resumes after an id with from=', async () => {
    const file = await logFile(numbered(0, 4));
    const server = await startServer({ file });
    const first = await openWs(wsUrl(server.url, '?from=start'));
    const ids = (await first.waitForLines(4)).map((l) => (JSON.parse(l) as { id: string }).id);
    const resumed = await openWs(wsUrl(server.url, `?from=${ids[1]}&format=text`));
    expect(await resumed.waitForLines(2)).toEqual(['seq:2', 'seq:3']);
  });

  it.each([
    ['?tail=abc', 400],
    ['?match=(', 400],
    ['?format=sse', 400],
  ])('refuses the upgrade for %s with %i', async (query, status) => {
    const server = await startServer({ file: await logFile() });
    await expect(openWs(wsUrl(server.url, query))).rejects.toMatchObject({ status });
  });

  it('refuses upgrades on other paths with 404', async () => {
    const server = await startServer({ file: await logFile() });
    await expect(openWs(`${server.url.replace('http', 'ws')}/other`)).rejects.toMatchObject({ status: 404 });
  });

  it('closes clients with 1001 when the server shuts down', async () => {
    const server = await startServer({ file: await logFile() });
    const client = await openWs(wsUrl(server.url));
    const started = performance.now();
    await server.close();
    expect((await client.closed).code).toBe(1001);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('terminates a peer that stops answering pings', async () => {
    const server = await startServer({ file: await logFile(), wsPingMs: 50 });
    // A hand-made client that completes the handshake and then never answers a ping.
    const socket = connect(server.port, '127.0.0.1');
    socket.write(
      'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    await expect.poll(() => received).toMatch(/^HTTP\/1\.1 101/);
    await ended;
    expect(server.follower.closed).toBe(false);
  });
});
