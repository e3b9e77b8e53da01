import { appendFile, writeFile } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { spawnCli, waitForMatch } from '../helpers/cli.js';
import { procMemory } from '../helpers/proc.js';
import { tmpDir } from '../helpers/tmp.js';

const LINE_PAD = 'x'.repeat(90);
const BACKLOG_LINES = 500_000; // ~50 MB of ~100-byte lines
const MB = 1024 * 1024;

describe('a slow subscriber', () => {
  it('lags without growing server memory, then gets every line exactly once', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'event.log');
    await writeFile(file, '');
    const server = spawnCli(['serve', '-p', '0', file]);
    const [, url] = await waitForMatch(server.stderr, /on (http:\/\/127\.0\.0\.1:\d+)/);
    const pid = server.child.pid!;

    // Verify as we go: holding 500k lines in the test would only measure the test.
    let expected = 0;
    let partial = '';
    let failure: string | undefined;
    const res = await new Promise<IncomingMessage>((resolve) => request(`${url}/stream`, resolve).end());
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (failure) return;
        if (line !== `${expected} ${LINE_PAD}`) failure = `expected line ${expected}, got ${JSON.stringify(line.slice(0, 40))}`;
        expected++;
      }
    });
    res.pause(); // the client stops reading

    const baseline = procMemory(pid, 'VmRSS');
    const block = 10_000;
    for (let i = 0; i < BACKLOG_LINES; i += block) {
      let text = '';
      for (let j = i; j < i + block; j++) text += `${j} ${LINE_PAD}\n`;
      await appendFile(file, text);
    }
    // Let the server see the whole backlog: the follower's size reaches the end of the file.
    await vi.waitFor(async () => {
      const health = (await (await fetch(`${url}/healthz`)).json()) as { size: number };
      if (health.size < BACKLOG_LINES * 93) throw new Error(`server sees ${health.size} bytes`);
    }, { timeout: 10_000 });
    const lagging = procMemory(pid, 'VmHWM');

    res.resume();
    await vi.waitFor(() => {
      if (failure) throw new Error(failure);
      if (expected < BACKLOG_LINES) throw new Error(`${expected} of ${BACKLOG_LINES}`);
    }, { timeout: 60_000, interval: 50 });
    expect(failure).toBeUndefined();
    expect(expected).toBe(BACKLOG_LINES);
    const peak = procMemory(pid, 'VmHWM');
    // The backlog is ~50 MB; a server that queued it would grow by at least that.
    expect((lagging - baseline) / MB).toBeLessThan(15);
    expect((peak - baseline) / MB).toBeLessThan(25);
    res.destroy();
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
