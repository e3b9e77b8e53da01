import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RuntimeError } from '../../../src/errors.js';
import { generate } from '../../../src/generator/index.js';
import { tmpDir } from '../../helpers/tmp.js';

async function lines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n') || text === '').toBe(true);
  return text.split('\n').slice(0, -1);
}

describe('generate (synthetic)', () => {
  it('writes exactly --count well-formed lines from the given events and sessions', async () => {
    const file = path.join(await tmpDir(), 'event.log');
    const result = await generate({ file, count: 2000, rate: 0, events: ['impression', 'click'], sessions: 7 });
    const all = await lines(file);
    expect(result.written).toBe(2000);
    expect(all).toHaveLength(2000);
    for (const line of all) expect(line).toMatch(/^s-[0-9a-f]{8}:(impression|click)$/);
    expect(new Set(all.map((l) => l.split(':')[0])).size).toBe(7);
    expect(new Set(all.map((l) => l.split(':')[1])).size).toBe(2);
  });

  it('appends to an existing file instead of replacing it', async () => {
    const file = path.join(await tmpDir(), 'event.log');
    await writeFile(file, 'existing:line\n');
    await generate({ file, count: 3, rate: 0 });
    const all = await lines(file);
    expect(all[0]).toBe('existing:line');
    expect(all).toHaveLength(4);
  });

  it('writes winston JSON with session, event and timestamp in json format', async () => {
    const file = path.join(await tmpDir(), 'event.json');
    await generate({ file, count: 5, rate: 0, format: 'json', events: ['buy'] });
    const records = (await lines(file)).map((l) => JSON.parse(l) as Record<string, string>);
    expect(records).toHaveLength(5);
    for (const r of records) {
      expect(r.event).toBe('buy');
      expect(r.session).toMatch(/^s-[0-9a-f]{8}$/);
      expect(r.message).toBe(`${r.session}:buy`);
      expect(Number.isNaN(Date.parse(r.timestamp!))).toBe(false);
    }
  });

  it('holds the requested rate (100 events at 200/s take about half a second)', async () => {
    const file = path.join(await tmpDir(), 'event.log');
    const start = performance.now();
    await generate({ file, count: 100, rate: 200 });
    const elapsed = performance.now() - start;
    expect(await lines(file)).toHaveLength(100);
    expect(elapsed).toBeGreaterThan(300);
    expect(elapsed).toBeLessThan(3000);
  });

  it('stops on abort with every accepted event flushed, and no partial line', async () => {
    const file = path.join(await tmpDir(), 'event.log');
    const controller = new AbortController();
    const running = generate({ file, rate: 1000, signal: controller.signal });
    // Abort once the writer has demonstrably produced output.
    await expect.poll(async () => (await readFile(file, 'utf8').catch(() => '')).length, { timeout: 10_000 }).toBeGreaterThan(100);
    controller.abort();
    const result = await running;
    const all = await lines(file);
    expect(all.length).toBe(result.written);
    for (const line of all) expect(line).toMatch(/^s-[0-9a-f]{8}:impression$/);
  });

  it('writes nothing for --count 0', async () => {
    const file = path.join(await tmpDir(), 'event.log');
    expect((await generate({ file, count: 0, rate: 0 })).written).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('fails with a clear error when the directory does not exist', async () => {
    const file = path.join(await tmpDir(), 'missing', 'event.log');
    await expect(generate({ file, count: 1 })).rejects.toMatchObject({ code: 'EVLOG_ERR_FILE_OPEN', exitCode: 1 });
    await expect(generate({ file, count: 1 })).rejects.toBeInstanceOf(RuntimeError);
  });
});

describe('generate --stdin', () => {
  it('appends each input line, dropping CR and blank lines, until input ends', async () => {
    const file = path.join(await tmpDir(), 'event.log');
    const input = new PassThrough();
    const running = generate({ file, stdin: input });
    input.write('s1:a\ns2:');
    input.write('b\r\n\nfree text\n');
    input.end('tail-without-newline');
    expect((await running).written).toBe(4);
    expect(await lines(file)).toEqual(['s1:a', 's2:b', 'free text', 'tail-without-newline']);
  });

  it('keeps the session and event fields of stdin lines in json format', async () => {
    const file = path.join(await tmpDir(), 'event.log');
    const input = new PassThrough();
    const running = generate({ file, stdin: input, format: 'json' });
    input.end('s9:click\nno event here\n');
    await running;
    const [a, b] = (await lines(file)).map((l) => JSON.parse(l) as Record<string, string>);
    expect(a).toMatchObject({ session: 's9', event: 'click', message: 's9:click' });
    expect(b).toMatchObject({ message: 'no event here' });
    expect(b!.session).toBeUndefined();
  });

  it('stops at --count even while input continues', async () => {
    const file = path.join(await tmpDir(), 'event.log');
    const input = new PassThrough();
    const running = generate({ file, stdin: input, count: 2 });
    input.write('a:1\nb:2\nc:3\n');
    expect((await running).written).toBe(2);
    expect(await lines(file)).toEqual(['a:1', 'b:2']);
  });
});

describe('generate --http', () => {
  async function startApp(count?: number): Promise<{ url: string; file: string; done: Promise<unknown>; controller: AbortController }> {
    const file = path.join(await tmpDir(), 'event.log');
    const controller = new AbortController();
    let resolveUrl!: (url: string) => void;
    const urlReady = new Promise<string>((resolve) => (resolveUrl = resolve));
    const done = generate({ file, http: 0, count, signal: controller.signal, onListening: resolveUrl });
    done.catch(() => undefined);
    return { url: await urlReady, file, done, controller };
  }

  it('appends <session>:<event> per GET and answers :)', async () => {
    const app = await startApp();
    const res = await fetch(`${app.url}/click?session=abc`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(':)');
    app.controller.abort();
    await app.done;
    expect(await lines(app.file)).toEqual(['abc:click']);
  });

  it('gives a new visitor a session and keeps it through the cookie', async () => {
    const app = await startApp();
    const first = await fetch(`${app.url}/view`);
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^evlog_session=s-[0-9a-f]{8};/);
    await fetch(`${app.url}/buy`, { headers: { cookie: cookie.split(';')[0]! } });
    app.controller.abort();
    await app.done;
    const [view, buy] = await lines(app.file);
    const session = cookie.slice('evlog_session='.length, cookie.indexOf(';'));
    expect(view).toBe(`${session}:view`);
    expect(buy).toBe(`${session}:buy`);
  });

  it('refuses bad event and session names with 400 and logs nothing for them', async () => {
    const app = await startApp();
    for (const bad of ['/', '/a:b', '/a%20b', '/a/b', '/ok?session=x:y', '/ok?session=%00', '/ok%C2%85?session=u1', '/a%1Bb', '/ok?session=a%7Fb']) {
      const res = await fetch(app.url + bad);
      expect(res.status, bad).toBe(400);
      // The reason is one line, whatever bytes the request held.
      expect((await res.text()).trimEnd(), bad).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
    expect((await fetch(app.url + '/click', { method: 'POST' })).status).toBe(405);
    app.controller.abort();
    await app.done;
    expect(await readFile(app.file, 'utf8')).toBe('');
  });

  it('stops after --count events', async () => {
    const app = await startApp(2);
    await fetch(`${app.url}/a?session=s`);
    await fetch(`${app.url}/b?session=s`);
    await app.done;
    expect(await lines(app.file)).toEqual(['s:a', 's:b']);
  });
});
