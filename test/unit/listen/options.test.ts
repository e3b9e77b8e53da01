import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { listen } from '../../../src/listen/index.js';
import { LISTEN_DEFAULTS, resolveListenOptions } from '../../../src/listen/options.js';
import { runInProcess } from '../../helpers/cli.js';

describe('listen options', () => {
  it('are merged with the defaults once and frozen', () => {
    const opts = resolveListenOptions({ callbackTimeoutMs: 2000 });
    expect(opts).toMatchObject({ url: LISTEN_DEFAULTS.url, retries: 3, concurrency: 1, count: Infinity, shutdownGraceMs: 2000 });
    expect(resolveListenOptions({}).shutdownGraceMs).toBe(10_000);
    expect(Object.isFrozen(opts)).toBe(true);
    expect(Object.isFrozen(opts.match)).toBe(true);
  });

  it.each([
    [{ concurrency: 0 }, /concurrency must be a whole number >= 1, got 0/],
    [{ retries: -1 }, /retries must be a whole number >= 0/],
    [{ count: 1.5 }, /count must be a whole number >= 1/],
    [{ match: ['ok', '('] }, /^match: not a regular expression: unterminated group/],
    [{ from: 'garbage' }, /^from: expected a record id or 'start'/],
  ])('refuse %j as a usage error before anything connects', async (bad, message) => {
    // No server at this URL: a check that came after connecting would fail differently, or hang.
    const result = listen({ url: 'http://127.0.0.1:9', reconnect: false, ...bad });
    await expect(result).rejects.toThrow(message);
    await expect(result).rejects.toBeInstanceOf(UsageError);
  });
});

describe('listen hands ids back without reading them', () => {
  const servers: ReturnType<typeof createServer>[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  /** A server that streams one record after whatever id it is given, as a Redis-backed one would. */
  async function streamAfterAnyId(): Promise<{ url: string; asked: IncomingMessage[] }> {
    const asked: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      asked.push(req);
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end('{"id":"1700000000001-0","line":"s1:click"}\n');
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
  }

  it('resumes after an id in another source\'s format, from the library and from the CLI', async () => {
    const lib = await streamAfterAnyId();
    const lines: string[] = [];
    await listen({ url: lib.url, from: '1700000000000-0', count: 1, callback: (e) => void lines.push(e.line), log: () => undefined });
    expect(lines).toEqual(['s1:click']);
    expect(new URL(lib.asked[0]!.url!, lib.url).searchParams.get('from')).toBe('1700000000000-0');

    const cli = await streamAfterAnyId();
    // Exit 0 after -n 1: the record was handled (it prints to the process's own stdout).
    const run = await runInProcess(['listen', cli.url, '--from', '1700000000000-0', '-n', '1']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(new URL(cli.asked[0]!.url!, cli.url).searchParams.get('from')).toBe('1700000000000-0');
  });
});
