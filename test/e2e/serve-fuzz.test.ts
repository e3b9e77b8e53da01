/**
 * Ten thousand malformed requests at the real server, over raw TCP: it must answer each with a
 * 4xx (or close the socket), never exit, and keep a streaming client whole throughout.
 */
import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openStream } from '../helpers/clients.js';
import { spawnCli, waitForMatch } from '../helpers/cli.js';
import { makeMalformed } from '../helpers/malformed.js';
import { rawRequest } from '../helpers/raw.js';
import { tmpLog } from '../helpers/tmp.js';

const REQUESTS = 10_000;
const IN_FLIGHT = 16;

describe('evlog serve under malformed requests', () => {
  it('answers every one with a 4xx or a closed socket, stays up, and streams every line to a client', { timeout: 180_000 }, async () => {
    const file = await tmpLog();
    const server = spawnCli(['serve', file, '-p', '0']);
    const port = Number((await waitForMatch(server.stderr, /on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const stream = await openStream(`http://127.0.0.1:${port}/stream?format=text`);

    let written = 0;
    const writer = setInterval(() => {
      const lines = Array.from({ length: 5 }, () => `s${written}:line-${written++}\n`).join('');
      // Synchronous: two appends in flight at once may land in either order.
      appendFileSync(file, lines);
    }, 5);

    const next = makeMalformed(12, port);
    const outcomes = new Map<string, number>();
    const wrong: string[] = [];
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < REQUESTS) {
        const index = sent++;
        const request = next();
        const answer = await rawRequest(port, request.bytes);
        const status = answer.status ?? 'closed';
        outcomes.set(`${request.kind} ${status}`, (outcomes.get(`${request.kind} ${status}`) ?? 0) + 1);
        if (answer.status !== undefined && (answer.status < 400 || answer.status >= 500)) {
          wrong.push(`#${index} ${status}: ${JSON.stringify(request.bytes.toString('latin1').slice(0, 160))}`);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    } finally {
      clearInterval(writer);
    }
    appendFileSync(file, 'end:of-fuzz\n');

    expect(wrong.slice(0, 10), `${wrong.length} answers outside 4xx`).toEqual([]);
    expect(server.child.exitCode, server.stderr()).toBeNull();
    const expected = [...Array.from({ length: written }, (_, i) => `s${i}:line-${i}`), 'end:of-fuzz'];
    const got = await stream.waitForLines(expected.length, 20_000);
    expect(got).toEqual(expected);
    // Every family of malformation was exercised, and most got a real answer rather than a reset.
    const kinds = new Set([...outcomes.keys()].map((k) => k.split(' ')[0]));
    expect(kinds.size).toBeGreaterThanOrEqual(5);
    const closed = [...outcomes].filter(([k]) => k.endsWith('closed')).reduce((n, [, v]) => n + v, 0);
    expect(closed, JSON.stringify(Object.fromEntries(outcomes))).toBeLessThan(REQUESTS / 10);
    expect(server.stderr()).not.toMatch(/\n\s+at /);
  });
});
