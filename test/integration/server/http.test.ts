import { appendFile, writeFile } from 'node:fs/promises';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { getText, openStream } from '../../helpers/clients.js';
import { appendLines, expectSequence, numbered } from '../../helpers/lines.js';
import { startServer } from '../../helpers/server.js';
import { tmpLog } from '../../helpers/tmp.js';

const logFile = tmpLog;

interface Rec { id: string; line: string; session?: string; event?: string; truncated?: boolean }
const parse = (lines: string[]): Rec[] => lines.map((l) => JSON.parse(l) as Rec);

describe('GET /stream', () => {
  it('streams raw lines as chunked text by default, new lines only', async () => {
    const file = await logFile('before:1\n');
    const server = await startServer({ file });
    const stream = await openStream(`${server.url}/stream`);
    expect(stream.response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(stream.response.headers['transfer-encoding']).toBe('chunked');
    await appendFile(file, 's1:impression\r\ns2:click\n');
    expect(await stream.waitForLines(2)).toEqual(['s1:impression', 's2:click']);
    expect(stream.text()).toBe('s1:impression\ns2:click\n');
  });

  it('streams NDJSON records with id, line, session and event', async () => {
    const file = await logFile();
    const server = await startServer({ file });
    const stream = await openStream(`${server.url}/stream?format=ndjson`);
    expect(stream.response.headers['content-type']).toBe('application/x-ndjson');
    await appendFile(file, 's-1:impression\nnot an event\n{"session":"s2","event":"buy","level":"info"}\n');
    const [a, b, c] = parse(await stream.waitForLines(3));
    expect(a).toMatchObject({ line: 's-1:impression', session: 's-1', event: 'impression' });
    expect(typeof a!.id).toBe('string');
    expect(b).toEqual({ id: b!.id, file, line: 'not an event' });
    expect(c).toMatchObject({ session: 's2', event: 'buy' });
  });

  it('picks the format from Accept when ?format is absent', async () => {
    const file = await logFile();
    const server = await startServer({ file });
    const sse = await openStream(`${server.url}/stream`, { accept: 'text/event-stream' });
    const nd = await openStream(`${server.url}/stream`, { accept: 'application/x-ndjson' });
    expect(sse.response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(nd.response.headers['content-type']).toBe('application/x-ndjson');
  });

  it('sends SSE events with id and data, and a retry hint', async () => {
    const file = await logFile();
    const server = await startServer({ file });
    const stream = await openStream(`${server.url}/stream?format=sse`);
    await appendFile(file, 'a:1\n');
    await expect.poll(() => stream.text()).toMatch(/data: /);
    const text = stream.text();
    expect(text.startsWith('retry: ')).toBe(true);
    const [, id, data] = /id: (\S+)\ndata: (.+)\n\n/.exec(text)!;
    expect(JSON.parse(data!)).toEqual({ id, file, line: 'a:1', session: 'a', event: '1' });
  });

  it('sends SSE comment heartbeats while idle', async () => {
    const file = await logFile();
    const server = await startServer({ file, sseHeartbeatMs: 50 });
    const stream = await openStream(`${server.url}/stream?format=sse`);
    await expect.poll(() => stream.text()).toMatch(/^: keep-alive$/m);
  });

  // batch=1: one event per batch (an id line, a data line per record), for browsers.
  it.each([
    ['one event per record', '', 2000],
    ['one event per batch (batch=1)', '&batch=1', 100],
  ])('resumes an EventSource after a reconnect with no gap and no duplicate: %s', async (_name, batch, maxEvents) => {
    const file = await logFile();
    let server = await startServer({ file });
    const port = server.port;
    const received: string[] = [];
    let events = 0;
    const es = new EventSource(`${server.url}/stream?format=sse${batch}`);
    try {
      es.onmessage = (e) => {
        events++;
        for (const line of (e.data as string).split('\n')) received.push((JSON.parse(line) as Rec).line);
      };
      await new Promise((resolve) => (es.onopen = resolve));
      await appendLines(file, 0, 2000);
      await expect.poll(() => received.length).toBe(2000);
      expect(events).toBeLessThanOrEqual(maxEvents);
      await server.close();
      await appendLines(file, 2000, 10); // written while nobody listens
      server = await startServer({ file, port });
      await appendLines(file, 2010, 10);
      await expect.poll(() => received.length, { timeout: 15_000 }).toBe(2020);
      expectSequence(received, 2020);
    } finally {
      es.close();
    }
  });

  it('resumes exactly after an id across a server restart, and from Last-Event-ID', async () => {
    const file = await logFile(numbered(0, 6));
    const first = await startServer({ file });
    const all = parse(await (await openStream(`${first.url}/stream?from=start&format=ndjson`)).waitForLines(6));
    await first.close();
    const second = await startServer({ file });
    const resumed = await openStream(`${second.url}/stream?from=${all[2]!.id}&format=ndjson`);
    expect(parse(await resumed.waitForLines(3)).map((r) => r.line)).toEqual(['seq:3', 'seq:4', 'seq:5']);
    const sse = await openStream(`${second.url}/stream?format=sse&tail=1`, { 'last-event-id': all[4]!.id });
    await expect.poll(() => sse.text()).toMatch(/"line":"seq:5"/);
    expect(sse.text()).not.toMatch(/seq:4/);
  });

  it('says where each stream starts, so a client with no record yet can resume exactly', async () => {
    const file = await logFile(numbered(0, 3));
    const server = await startServer({ file });
    const ndjson = await openStream(`${server.url}/stream?format=ndjson`);
    const tailed = await openStream(`${server.url}/stream?tail=1`);
    const sse = await openStream(`${server.url}/stream?format=sse`);
    const upgraded = new Promise<string | undefined>((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`);
      ws.on('upgrade', (res) => resolve(res.headers['evlog-start'] as string | undefined));
      ws.on('open', () => ws.terminate());
      ws.on('error', reject);
    });
    const start = ndjson.response.headers['evlog-start'] as string;
    expect(start).toMatch(/^2\./);
    expect(await upgraded).toBe(start);
    // Before any record, an SSE stream names its start as an id without data: a browser's
    // Last-Event-ID, with no event dispatched.
    await expect.poll(() => sse.text()).toBe(`retry: 1000\nid: ${start}\n\n`);
    // The page's batched stream also names it in a `start` event, which a page can read.
    const batched = await openStream(`${server.url}/stream?format=sse&batch=1`);
    await expect.poll(() => batched.text()).toBe(`retry: 1000\nid: ${start}\nevent: start\ndata: ${start}\n\n`);
    await appendLines(file, 3, 2);
    expect(await tailed.waitForLines(3)).toEqual(['seq:2', 'seq:3', 'seq:4']);
    const fromTailStart = await openStream(`${server.url}/stream?from=${tailed.response.headers['evlog-start'] as string}`);
    const fromStart = await openStream(`${server.url}/stream?from=${start}`);
    expect(await fromTailStart.waitForLines(3)).toEqual(['seq:2', 'seq:3', 'seq:4']);
    expect(await fromStart.waitForLines(2)).toEqual(['seq:3', 'seq:4']);
    // A stream waiting for the file to appear cannot name a start yet.
    const missing = await startServer({ file: `${file}.missing` });
    expect((await openStream(`${missing.url}/stream`)).response.headers['evlog-start']).toBeUndefined();
  });

  it('starts with the last n lines for tail=n and the whole file for from=start', async () => {
    const file = await logFile(numbered(0, 10));
    const server = await startServer({ file });
    const tail = await openStream(`${server.url}/stream?tail=2`);
    expect(await tail.waitForLines(2)).toEqual(['seq:8', 'seq:9']);
    const whole = await openStream(`${server.url}/stream?from=start`);
    expectSequence(await whole.waitForLines(10), 10);
  });

  it('filters on the server with match=', async () => {
    const file = await logFile();
    const server = await startServer({ file });
    const stream = await openStream(`${server.url}/stream?match=${encodeURIComponent('^s\\d:click$')}`);
    await appendFile(file, 's1:impression\ns1:click\ns22:click\ns3:click\n');
    expect(await stream.waitForLines(2)).toEqual(['s1:click', 's3:click']);
  });

  it('ignores case and inverts the server filter when asked (ignore_case=1, invert=1)', async () => {
    const file = await logFile();
    const server = await startServer({ file });
    const match = `match=${encodeURIComponent('CLICK')}`;
    const folded = await openStream(`${server.url}/stream?${match}&ignore_case=1`);
    const inverted = await openStream(`${server.url}/stream?${match}&ignore_case=1&invert=1`);
    const exact = await openStream(`${server.url}/stream?${match}&ignore_case=0&invert=true`);
    await appendFile(file, 's1:impression\ns1:Click\ns2:CLICK\n');
    expect(await folded.waitForLines(2)).toEqual(['s1:Click', 's2:CLICK']);
    expect(await inverted.waitForLines(1)).toEqual(['s1:impression']);
    expect(await exact.waitForLines(2)).toEqual(['s1:impression', 's1:Click']);
  });

  it('writes many lines per socket write when lines arrive fast', async () => {
    const file = await logFile();
    const server = await startServer({ file });
    const stream = await openStream(`${server.url}/stream`);
    await appendLines(file, 0, 20_000);
    expectSequence(await stream.waitForLines(20_000), 20_000);
    // One chunk per line would be 20,000 reads; batching makes it a handful.
    expect(stream.chunks()).toBeLessThan(200);
  });

  it('flags lines cut at --max-line-bytes', async () => {
    const file = await logFile();
    const server = await startServer({ file, maxLineBytes: 8 });
    const stream = await openStream(`${server.url}/stream?format=ndjson`);
    await appendFile(file, 'short\n0123456789abcdef\n');
    const [a, b] = parse(await stream.waitForLines(2));
    expect(a).toMatchObject({ line: 'short' });
    expect(a!.truncated).toBeUndefined();
    expect(b).toMatchObject({ line: '01234567', truncated: true });
  });

  it.each([
    ['tail=abc', /tail/],
    ['tail=-1', /tail/],
    ['match=(', /^bad request: match: invalid regular expression: unterminated group\n$/],
    ['format=xml', /format/],
    ['from=garbage', /from/],
    ['match=a&invert=yes', /invert: expected 1 or 0/],
    ['format=ndjson&batch=1', /batch: only with format=sse/],
    // What a client sent is shown, never a line break or a NUL it slipped in.
    ['format=x%0Abad%0D%00', /^bad request: format: expected text, ndjson or sse, got 'x\\x0abad\\x0d\\x00'\n$/],
    ['file=a%0Ab.log', /file: 'a\\x0ab\.log' is not a file this server follows/],
  ])('answers a bad query (%s) with 400 and one line', async (query, reason) => {
    const server = await startServer({ file: await logFile() });
    const { status, body } = await getText(`${server.url}/stream?${query}`);
    expect(status).toBe(400);
    expect(body).toMatch(reason);
    expect(body.trimEnd().split('\n')).toHaveLength(1);
  });

  it('answers unknown paths with 404 and other methods with 405', async () => {
    const server = await startServer({ file: await logFile() });
    expect((await getText(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/stream`, { method: 'POST' })).status).toBe(405);
  });
});

describe('health and metrics', () => {
  it('reports the file, its identity and the clients', async () => {
    const file = await logFile('a:1\n');
    const server = await startServer({ file });
    await openStream(`${server.url}/stream`);
    await openStream(`${server.url}/stream?format=sse`);
    await expect.poll(async () => JSON.parse((await getText(`${server.url}/healthz`)).body).clients).toMatchObject({ http: 1, sse: 1, total: 2 });
    const health = JSON.parse((await getText(`${server.url}/healthz`)).body) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', file, exists: true, size: 4 });
    expect(health.identity).toEqual({ dev: expect.any(Number), ino: expect.any(Number) });
  });

  it('counts clients, lines, bytes, rotations and truncations in Prometheus text', async () => {
    const file = await logFile();
    const server = await startServer({ file, maxLineBytes: 4 });
    const stream = await openStream(`${server.url}/stream`);
    await appendFile(file, 'a:1\nlonger\n');
    await stream.waitForLines(2);
    await writeFile(file, '');
    await expect.poll(() => server.follower.truncations).toBe(1);
    const { status, body, headers } = await getText(`${server.url}/metrics`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toMatch(/^evlog_clients\{transport="http"\} 1$/m);
    expect(body).toMatch(/^evlog_lines_sent_total\{transport="http"\} 2$/m);
    expect(body).toMatch(/^evlog_bytes_sent_total\{transport="http"\} 9$/m);
    expect(body).toMatch(/^evlog_truncated_lines_total\{transport="http"\} 1$/m);
    expect(body).toMatch(/^evlog_truncations_total 1$/m);
    expect(body).toMatch(/^evlog_rotations_total 0$/m);
    expect(body).toMatch(/^# TYPE evlog_lines_read_total counter$/m);
  });
});
