import { appendFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openStream } from '../../helpers/clients.js';
import { startServer } from '../../helpers/server.js';
import { tmpLog } from '../../helpers/tmp.js';

/** A client that opens a request and trickles header lines without ever ending the head. */
function slowloris(port: number): { socket: Socket; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  let n = 0;
  const trickle = setInterval(() => socket.writable && socket.write(`X-Slow-${n++}: 1\r\n`), 50);
  void closed.then(() => clearInterval(trickle));
  return { socket, closed };
}

describe('slow clients', () => {
  it('closes a connection that does not finish its request head in time, and keeps streams that did', async () => {
    const file = await tmpLog('a:1\n');
    const server = await startServer({ file, headersTimeoutMs: 300 });
    const stream = await openStream(`${server.url}/stream?format=text`);
    const idle = connect(server.port, '127.0.0.1');
    idle.on('error', () => undefined);
    const idleClosed = new Promise<void>((resolve) => idle.on('close', () => resolve()));
    const slow = slowloris(server.port);
    // Both are cut by the server (the test's own timeout is the failure): one trickling, one silent.
    await slow.closed;
    await idleClosed;
    // The stream, quiet all that time, is still served.
    await appendFile(file, 'b:2\n');
    expect(await stream.waitForLines(1)).toEqual(['b:2']);
  });
});
