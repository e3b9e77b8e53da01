import { appendFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { LineReader } from '../../../../src/sources/file/reader.js';
import { follow } from '../../../helpers/follow.js';
import { numbered } from '../../../helpers/lines.js';
import { startServer } from '../../../helpers/server.js';
import { tmpLog } from '../../../helpers/tmp.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function afterGc(): NodeJS.MemoryUsage {
  gc();
  gc();
  return process.memoryUsage();
}

/** Reads `lines` lines over a WebSocket, counting newlines rather than keeping them. */
function readAll(url: string, lines: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let seen = 0;
    ws.on('message', (data: Buffer) => {
      for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) seen++;
      if (++seen >= lines) resolve(ws);
    });
    ws.on('error', reject);
  });
}

it('keeps no memory per wait for a reader at the live edge', async () => {
  const file = await tmpLog();
  const follower = await follow(file);
  const reader = new LineReader(follower, { kind: 'new' }, { maxLineBytes: 1024 });
  const appendAndRead = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      // Caught up, so the reader waits for the follower; the poke ends that wait.
      const next = reader.next();
      appendFileSync(file, `s:${i}\n`);
      follower.poke();
      const batch = await next;
      expect(batch?.buf.toString()).toBe(`s:${i}\n`);
    }
  };
  await appendAndRead(2_000);
  const before = afterGc().heapUsed;
  await appendAndRead(40_000);
  const grown = afterGc().heapUsed - before;
  reader.close();
  // A reaction left behind per wait (about 150 bytes each) would be megabytes here.
  expect(grown).toBeLessThan(1_000_000);
});

it('keeps no read buffers for clients that have caught up on a backlog', async () => {
  const lines = 40_000;
  const file = await tmpLog(numbered(0, lines, 'a-line-in-a-backlog-of-about-two-megabytes'));
  const server = await startServer({ file });
  const before = afterGc().arrayBuffers;
  const clients = 40;
  const url = `${server.url.replace(/^http/, 'ws')}/ws?format=text&from=start`;
  const sockets = await Promise.all(Array.from({ length: clients }, () => readAll(url, lines)));
  const held = afterGc().arrayBuffers - before;
  sockets.forEach((ws) => ws.terminate());
  // Each client reads its backlog in buffers of a quarter megabyte; keeping a pair per client
  // would be 20 MB here. What remains is the live-edge cache (4 MB at most) and a small pool.
  expect(held).toBeLessThan(8 * 2 ** 20);
});
