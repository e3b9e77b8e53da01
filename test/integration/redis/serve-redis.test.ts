/**
 * `serve redis://… --stream KEY`: two servers in front of one stream (as behind a load balancer)
 * give the same records under the same ids, and a client resumes on either with an id from the other.
 */
import { describe, expect, it } from 'vitest';
import { getText, openStream, openWs } from '../../helpers/clients.js';
import { appendLines, expectSequence } from '../../helpers/lines.js';
import { haveRedis, startRedis } from '../../helpers/redis.js';
import { redisClient, waitForLength } from '../../helpers/redis-stream.js';
import { startServer } from '../../helpers/server.js';
import { tmpLog } from '../../helpers/tmp.js';

interface Rec {
  id: string;
  line: string;
  file: string;
  session?: string;
  event?: string;
}
const parse = (lines: string[]): Rec[] => lines.map((l) => JSON.parse(l) as Rec);

async function mirrored(n: number): Promise<{ url: string; key: string; file: string }> {
  const redis = await startRedis();
  const file = await tmpLog();
  await appendLines(file, 0, n);
  await startServer({ file, redis: redis.url });
  await waitForLength(await redisClient(redis.url), `evlog:${file}`, n);
  return { url: redis.url, key: `evlog:${file}`, file };
}

describe.skipIf(!haveRedis)('serve redis:// --stream', () => {
  it('two servers give identical streams, live too, and resume on one with an id from the other', async () => {
    const { url, key, file } = await mirrored(500);
    const a = await startServer({ file: url, stream: key });
    const b = await startServer({ file: url, stream: key });
    const fromA = await openStream(`${a.url}/stream?format=ndjson&from=start`);
    const fromB = await openStream(`${b.url}/stream?format=ndjson&from=start`);
    await appendLines(file, 500, 500);
    const recsA = parse(await fromA.waitForLines(1000));
    const recsB = parse(await fromB.waitForLines(1000));
    expect(recsB).toEqual(recsA);
    expectSequence(recsA.map((r) => r.line), 1000);
    expect(recsA[7]).toEqual({ id: expect.stringMatching(/^\d+-\d+$/), line: 'seq:7', file, session: 'seq', event: '7' });

    const resumed = await openStream(`${b.url}/stream?format=ndjson&from=${recsA[599]!.id}`);
    expect(parse(await resumed.waitForLines(400))).toEqual(recsA.slice(600));
    expect(resumed.response.headers['evlog-start']).toBe(recsA[599]!.id);

    // SSE resumes by Last-Event-ID; its ids are the entry ids.
    const sse = await openStream(`${a.url}/stream?format=sse`, { 'last-event-id': recsA[989]!.id });
    await sse.waitForLines(20);
    expect(sse.text()).toContain(`id: ${recsA[999]!.id}\ndata: ${JSON.stringify(recsA[999])}\n\n`);
    expect(sse.text()).not.toContain(JSON.stringify(recsA[989]));
    expect(sse.text()).toContain(JSON.stringify(recsA[990]));
  });

  it('serves tail=, match=, text and WebSocket, /healthz and /metrics', async () => {
    const { url, key } = await mirrored(300);
    const server = await startServer({ file: url, stream: key, token: 't' });
    const tail = await openStream(`${server.url}/stream?tail=3&token=t`);
    expect(await tail.waitForLines(3)).toEqual(['seq:297', 'seq:298', 'seq:299']);
    const matched = await openStream(`${server.url}/stream?from=start&match=%3A1%5B0-9%5D%24&format=ndjson&token=t`);
    expect(parse(await matched.waitForLines(10)).map((r) => r.line)).toEqual(Array.from({ length: 10 }, (_, i) => `seq:1${i}`));
    const ws = await openWs(`${server.url.replace('http', 'ws')}/ws?from=start&token=t`);
    expectSequence(parse(await ws.waitForLines(300)).map((r) => r.line), 300);
    expect(JSON.parse((await getText(`${server.url}/healthz`, { authorization: 'Bearer t' })).body)).toMatchObject({ status: 'ok', stream: key, connected: true });
    expect((await getText(`${server.url}/metrics?token=t`)).body).toMatch(/^evlog_lines_sent_total\{transport="ws"\} 300$/m);
    expect((await getText(`${server.url}/stream?from=1-2-3&token=t`)).status).toBe(400);
  });

  it('keeps its clients through a Redis restart, and goes on exactly', async () => {
    const redis = await startRedis({ appendonly: true });
    const add = async (from: number, n: number): Promise<void> => {
      const client = await redisClient(redis.url);
      for (let i = from; i < from + n; i++) await client.xAdd('k', '*', { line: `seq:${i}` });
      client.destroy();
    };
    await add(0, 100);
    const server = await startServer({ file: redis.url, stream: 'k' });
    const s = await openStream(`${server.url}/stream?format=text&from=start`);
    await s.waitForLines(100);
    await redis.stop('SIGKILL');
    await redis.start();
    await add(100, 100);
    expectSequence(await s.waitForLines(200, 20_000), 200);
  });

  it('an id whose entries were trimmed away is a gap, then the oldest entry there is', async () => {
    const redis = await startRedis();
    const client = await redisClient(redis.url);
    for (let i = 0; i < 300; i++) await client.xAdd('k', '*', { line: `seq:${i}` });
    const [[first]] = (await client.sendCommand(['XRANGE', 'k', '-', '+', 'COUNT', '1'])) as [[string]];
    await client.xTrim('k', 'MAXLEN', 100);
    const server = await startServer({ file: redis.url, stream: 'k' });
    const s = await openStream(`${server.url}/stream?format=ndjson&from=${first}`);
    const lines = await s.waitForLines(101);
    expect(JSON.parse(lines[0]!)).toEqual({ id: '0-0', file: 'k', gap: { reason: 'trimmed', bytes: null } });
    expect(parse(lines.slice(1)).map((r) => r.line)[0]).toBe('seq:200');
  });
});
