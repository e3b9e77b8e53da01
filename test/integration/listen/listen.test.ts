import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { ListenEvent } from '../../../src/listen/index.js';
import { appendLines, expectSequence, numbered } from '../../helpers/lines.js';
import { startListen } from '../../helpers/listen.js';
import { startServer } from '../../helpers/server.js';
import { tmpDir } from '../../helpers/tmp.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures/callbacks');

async function setup(content = '') {
  const dir = await tmpDir();
  const file = path.join(dir, 'event.log');
  await writeFile(file, content);
  const server = await startServer({ file });
  return { dir, file, server };
}

async function clients(url: string): Promise<{ http: number; total: number }> {
  return ((await (await fetch(`${url}/healthz`)).json()) as { clients: { http: number; total: number } }).clients;
}

const httpClients = async (url: string): Promise<number> => (await clients(url)).http;
const totalClients = async (url: string): Promise<number> => (await clients(url)).total;

async function readNdjson(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('listen: reading and filtering', () => {
  it('prints matching raw lines, new lines only by default', async () => {
    const { file, server } = await setup('s0:impression\n');
    const run = startListen({ url: server.url, match: ['impression'] });
    await vi.waitFor(async () => expect(await httpClients(server.url)).toBe(1), { timeout: 10_000 });
    await appendFile(file, 's1:impression\ns1:click\ns2:impression\n');
    expect(await run.waitForLines(2)).toEqual(['s1:impression', 's2:impression']);
  });

  it('applies -i, -v and several -m like grep', async () => {
    const { server } = await setup('a:IMPRESSION\nb:click\nc:buy\n');
    const ci = startListen({ url: server.url, from: 'start', match: ['impression'], ignoreCase: true, count: 1 });
    expect((await ci.done).matched).toBe(1);
    expect(ci.stdout.lines()).toEqual(['a:IMPRESSION']);
    const inv = startListen({ url: server.url, from: 'start', match: ['IMPRESSION', 'click'], invert: true, count: 1 });
    await inv.done;
    expect(inv.stdout.lines()).toEqual(['c:buy']);
    const any = startListen({ url: server.url, from: 'start', match: ['click', 'buy'], count: 2 });
    await any.done;
    expect(any.stdout.lines()).toEqual(['b:click', 'c:buy']);
  });

  it.each(['http', 'ws'])('prints JSON lines and lines with escapes exactly as the file has them, and as their records hold them (%s)', async (scheme) => {
    const lines = [
      '{"level":"info","message":"s-1:impression","session":"s-1","event":"impression"}', 'tab\there "quoted" back\\slash',
      'caf\u00e9 \u2028 \u{1F600} ctl\u0001', '{"a":{"b":[1,"\\"x\\""]}}', 's-2:click',
    ];
    const { server } = await setup(`${lines.join('\n')}\n`);
    const url = server.url.replace(/^http/, scheme);
    // Lines go from the record bytes to stdout, filtered or not; --json takes each record the JSON way.
    const raw = startListen({ url, from: 'start', count: lines.length });
    const filtered = startListen({ url, from: 'start', count: 2, match: ['"', '\\\\'], invert: true });
    const json = startListen({ url, from: 'start', count: lines.length, json: true });
    expect((await raw.done).matched).toBe(lines.length);
    await Promise.all([filtered.done, json.done]);
    expect(raw.stdout.text).toBe(`${lines.join('\n')}\n`);
    expect(json.stdout.lines().map((r) => `${(JSON.parse(r) as { line: string }).line}\n`).join('')).toBe(raw.stdout.text);
    expect(filtered.stdout.lines()).toEqual([lines[2], lines[4]]);
  });

  it('prints records as NDJSON with --json, over WebSocket too', async () => {
    const { server } = await setup('s1:impression\n');
    const run = startListen({ url: server.url.replace('http', 'ws'), from: 'start', json: true, count: 1 });
    await run.done;
    expect(JSON.parse(run.stdout.lines()[0]!)).toMatchObject({ line: 's1:impression', session: 's1', event: 'impression', id: expect.any(String) });
  });

  it('stops after --count matching events with the checkpoint on the last one handled', async () => {
    const { dir, server } = await setup(numbered(0, 10));
    const checkpoint = path.join(dir, 'cp');
    const run = startListen({ url: server.url, from: 'start', match: ['seq:[13579]$'], count: 3, checkpoint });
    const result = await run.done;
    expect(run.stdout.lines()).toEqual(['seq:1', 'seq:3', 'seq:5']);
    expect(result.matched).toBe(3);
    const next = startListen({ url: server.url, checkpoint, count: 1 });
    await next.done;
    expect(next.stdout.lines()).toEqual(['seq:6']);
  });

  it('pauses reading while stdout is not draining, then delivers everything exactly once', async () => {
    const { file, server } = await setup();
    let release: (() => void) | undefined;
    let text = '';
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        if (release === undefined) release = done; // hold the first write until told
        else done();
      },
    });
    const run = startListen({ url: server.url, stdout: slow as never });
    await vi.waitFor(async () => expect(await httpClients(server.url)).toBe(1), { timeout: 10_000 });
    const total = 300_000;
    await appendLines(file, 0, total);
    // The listener stops pulling, so the server keeps the backlog in the file: its client lags.
    await vi.waitFor(async () => {
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { maxLagBytes: number };
      expect(health.maxLagBytes).toBeGreaterThan(1024 * 1024);
      expect(release).toBeDefined();
    }, { timeout: 15_000, interval: 20 });
    release!();
    await vi.waitFor(() => expect(text.split('\n').length - 1).toBe(total), { timeout: 30_000, interval: 20 });
    expectSequence(text.split('\n').slice(0, -1), total);
    await run.stop();
  });
});

describe('listen: resuming', () => {
  it('reconnects after a server restart and loses or repeats nothing', async () => {
    const { file, server } = await setup();
    const run = startListen({ url: server.url });
    await vi.waitFor(async () => expect(await httpClients(server.url)).toBe(1), { timeout: 10_000 });
    await appendLines(file, 0, 5);
    await run.waitForLines(5);
    await server.close();
    await appendLines(file, 5, 50);
    await startServer({ file, port: server.port });
    await appendLines(file, 55, 5);
    expectSequence(await run.waitForLines(60, 20_000), 60);
    expect(run.logs.some((l) => /reconnecting in/.test(l))).toBe(true);
    expect(run.logs.at(-1)).toMatch(/^reconnected to /);
  });

  it.each(['http', 'ws'])('loses nothing appended while the server restarts before the first record (%s)', async (scheme) => {
    const { file, server } = await setup(numbered(0, 3, 'old'));
    const run = startListen({ url: server.url.replace(/^http/, scheme) });
    await vi.waitFor(async () => expect(await totalClients(server.url)).toBe(1), { timeout: 10_000 });
    await server.close();
    // The listener has seen no record: only the server's word says where its stream started.
    await appendLines(file, 0, 20);
    await startServer({ file, port: server.port });
    await appendLines(file, 20, 5);
    expectSequence(await run.waitForLines(25, 20_000), 25);
  });

  it('keeps the checkpoint across runs and prefers it over --tail and --from', async () => {
    const { dir, file, server } = await setup(numbered(0, 4));
    const checkpoint = path.join(dir, 'state', '..', 'cp.txt');
    const first = startListen({ url: server.url, from: 'start', checkpoint, count: 2 });
    await first.done;
    expect(first.stdout.lines()).toEqual(['seq:0', 'seq:1']);
    expect((await readFile(checkpoint, 'utf8')).trim()).toBe((await first.done).checkpoint);
    await appendLines(file, 4, 1);
    const second = startListen({ url: server.url, checkpoint, tail: 0, from: 'start', count: 3 });
    await second.done;
    expect(second.stdout.lines()).toEqual(['seq:2', 'seq:3', 'seq:4']);
  });

  it('refuses a checkpoint in a directory that does not exist before connecting', async () => {
    const { dir, server } = await setup();
    const run = startListen({ url: server.url, checkpoint: path.join(dir, 'nope', 'cp') });
    await expect(run.done).rejects.toMatchObject({ code: 'EVLOG_ERR_CHECKPOINT', exitCode: 1 });
  });
});

describe('listen: failures of the stream', () => {
  it('does not retry a 401 and says why', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'e.log');
    await writeFile(file, '');
    const server = await startServer({ file, token: 'right' });
    await expect(startListen({ url: server.url }).done).rejects.toMatchObject({ code: 'EVLOG_ERR_UNAUTHORIZED', message: expect.stringMatching(/^unauthorized \(/) });
    await expect(startListen({ url: server.url, token: 'wrong' }).done).rejects.toThrow(/refused the token/);
    const ok = startListen({ url: server.url, token: 'right', from: 'start', count: 1 });
    await appendFile(file, 'a:1\n');
    await expect(ok.done).resolves.toMatchObject({ matched: 1 });
  });

  it('fails with --no-reconnect when the server is gone or ends the stream', async () => {
    const { server } = await setup();
    const run = startListen({ url: server.url, reconnect: false });
    await vi.waitFor(async () => expect(await httpClients(server.url)).toBe(1), { timeout: 10_000 });
    await server.close();
    await expect(run.done).rejects.toMatchObject({ exitCode: 1 });
    await expect(startListen({ url: server.url, reconnect: false }).done).rejects.toThrow(/connection refused/);
  });
});

describe('listen: callbacks', () => {
  it('passes the record plus the match to the callback, and ctx with signal and attempt', async () => {
    const { server } = await setup('s-1:impression\ns-2:click\n');
    const seen: [ListenEvent, number][] = [];
    const run = startListen({
      url: server.url,
      from: 'start',
      match: ['^(s-\\d):impression$'],
      count: 1,
      callback: (event, ctx) => {
        expect(ctx.signal).toBeInstanceOf(AbortSignal);
        seen.push([event, ctx.attempt]);
      },
    });
    await run.done;
    expect(seen).toHaveLength(1);
    const [event, attempt] = seen[0]!;
    expect(event).toMatchObject({ line: 's-1:impression', session: 's-1', event: 'impression' });
    expect(event.match![1]).toBe('s-1');
    expect(attempt).toBe(1);
    expect(run.stdout.text).toBe(''); // a callback replaces printing
  });

  it.each(['record.mjs', 'record.cjs', 'default-export.cjs', 'async.mjs'])('runs the module %s for every match', async (name) => {
    const { dir, server } = await setup('a:1\nb:2\n');
    process.env.EVLOG_FIXTURE_OUT = path.join(dir, 'out.ndjson');
    await startListen({ url: server.url, from: 'start', count: 2, callback: path.join(FIXTURES, name), print: true }).done;
    expect((await readNdjson(process.env.EVLOG_FIXTURE_OUT)).map((r) => r.line)).toEqual(['a:1', 'b:2']);
  });

  it('retries a failing callback and succeeds on the retry', async () => {
    const { dir, server } = await setup('a:1\n');
    process.env.EVLOG_FIXTURE_OUT = path.join(dir, 'out.ndjson');
    const result = await startListen({ url: server.url, from: 'start', count: 1, retryDelayMs: 1, callback: path.join(FIXTURES, 'flaky.mjs') }).done;
    expect(await readNdjson(process.env.EVLOG_FIXTURE_OUT)).toEqual([{ line: 'a:1', attempt: 2 }]);
    expect(result.deadLettered).toBe(0);
  });

  it('dead-letters an event that fails every attempt, and listening goes on', async () => {
    const { dir, server } = await setup('a:1\nb:2\n');
    const deadLetter = path.join(dir, 'dead.ndjson');
    const checkpoint = path.join(dir, 'cp');
    const result = await startListen({
      url: server.url, from: 'start', count: 2, retries: 2, retryDelayMs: 1, deadLetter, checkpoint,
      callback: path.join(FIXTURES, 'always-throws.mjs'),
    }).done;
    const dead = await readNdjson(deadLetter);
    expect(dead).toHaveLength(2);
    expect(dead[0]).toMatchObject({ line: 'a:1', session: 'a', event: '1', error: 'cannot handle a:1', attempts: 3, id: expect.any(String) });
    expect(Number.isNaN(Date.parse(dead[0]!.time as string))).toBe(false);
    expect(dead[0]!.match).toBeUndefined();
    expect(result).toMatchObject({ deadLettered: 2, handled: 2 });
    expect(result.checkpoint).toBe(dead[1]!.id);
  });

  it('logs a dead letter as one stderr line when there is no dead-letter file', async () => {
    const { server } = await setup('a:1\n');
    const run = startListen({ url: server.url, from: 'start', count: 1, retries: 0, callback: path.join(FIXTURES, 'always-throws.mjs') });
    await run.done;
    expect(run.logs).toEqual([expect.stringMatching(/^callback failed 1 times for \S+ \(a:1\): cannot handle a:1$/)]);
  });

  it('counts a hanging callback as failed after --callback-timeout', async () => {
    const { dir, server } = await setup('a:1\n');
    const deadLetter = path.join(dir, 'dead.ndjson');
    await startListen({
      url: server.url, from: 'start', count: 1, retries: 1, retryDelayMs: 1, callbackTimeoutMs: 50, deadLetter,
      callback: path.join(FIXTURES, 'hangs.mjs'),
    }).done;
    expect(await readNdjson(deadLetter)).toEqual([expect.objectContaining({ line: 'a:1', attempts: 2, error: 'callback still running after 50 ms' })]);
  });

  it('runs up to --concurrency callbacks at once and checkpoints only the finished prefix', async () => {
    const { dir, server } = await setup(numbered(0, 4));
    const checkpoint = path.join(dir, 'cp');
    const pending = new Map<string, () => void>();
    let maxInFlight = 0;
    const run = startListen({
      url: server.url, from: 'start', concurrency: 3, checkpoint,
      callback: (event) => new Promise<void>((resolve) => {
        pending.set(event.line, resolve);
        maxInFlight = Math.max(maxInFlight, pending.size);
      }),
    });
    await vi.waitFor(() => expect(pending.size).toBe(3), { timeout: 10_000 });
    const ids = new Map<string, string>();
    const all = startListen({ url: server.url, from: 'start', json: true, count: 4 });
    for (const l of (await all.done, all.stdout.lines())) ids.set((JSON.parse(l) as { line: string }).line, (JSON.parse(l) as { id: string }).id);
    const finish = (line: string): void => {
      pending.get(line)!();
      pending.delete(line);
    };
    finish('seq:2');
    finish('seq:1');
    await vi.waitFor(() => expect(pending.has('seq:3')).toBe(true), { timeout: 10_000 }); // a slot freed up
    await new Promise((r) => setImmediate(r));
    expect(await readFile(checkpoint, 'utf8').catch(() => '')).toBe(''); // seq:0 still runs
    finish('seq:0');
    await vi.waitFor(async () => expect((await readFile(checkpoint, 'utf8')).trim()).toBe(ids.get('seq:2')), { timeout: 10_000 });
    finish('seq:3');
    const result = await run.stop();
    expect(result.checkpoint).toBe(ids.get('seq:3'));
    expect(maxInFlight).toBe(3);
  });

  it('on shutdown lets running callbacks finish and keeps the checkpoint before unfinished ones', async () => {
    const { dir, server } = await setup(numbered(0, 2));
    const checkpoint = path.join(dir, 'cp');
    let finishFirst!: () => void;
    const run = startListen({
      url: server.url, from: 'start', concurrency: 2, checkpoint, shutdownGraceMs: 100,
      callback: (event) => (event.line === 'seq:0' ? new Promise<void>((r) => (finishFirst = r)) : new Promise<void>(() => undefined)),
    });
    await vi.waitFor(() => expect(finishFirst).toBeDefined(), { timeout: 10_000 });
    const stopping = run.stop();
    finishFirst();
    const result = await stopping;
    expect(result.handled).toBe(1);
    const all = startListen({ url: server.url, from: 'start', json: true, count: 1 });
    await all.done;
    expect(result.checkpoint).toBe((JSON.parse(all.stdout.lines()[0]!) as { id: string }).id);
  });
});
