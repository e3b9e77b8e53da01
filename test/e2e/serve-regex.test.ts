/**
 * `match=` patterns from clients run in linear time: patterns built to backtrack exponentially on
 * the lines being written must not delay another client's lines or /healthz, and patterns the
 * linear engine cannot run are refused with a reason.
 */
import { appendFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { getText, openStream, type HttpStream } from '../helpers/clients.js';
import { spawnCli, waitForMatch } from '../helpers/cli.js';
import { tmpLog } from '../helpers/tmp.js';

const EVIL_A = `${'a'.repeat(27)}b`;
const EVIL_DOTS = 's-3f9a21c0:impression';
const EVIL_CLIENTS = 4;

async function serve(file: string): Promise<string> {
  const server = spawnCli(['serve', file, '-p', '0']);
  return `http://127.0.0.1:${(await waitForMatch(server.stderr, /on http:\/\/127\.0\.0\.1:(\d+)/))[1]}`;
}

/** Milliseconds from appending a line to `stream` holding it. */
async function deliveryMs(file: string, stream: HttpStream, line: string): Promise<number> {
  const start = performance.now();
  appendFileSync(file, `${line}\n`);
  await vi.waitFor(() => {
    if (!stream.text().endsWith(`\n${line}\n`)) throw new Error(`waiting for ${line}`);
  }, { timeout: 20_000, interval: 1 });
  return performance.now() - start;
}

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

describe('regexes from clients', () => {
  it('keeps other clients and /healthz under 50 ms while 8 clients hold (a+)+$ and ^(.|.|.)*Z on lines built for them', { timeout: 120_000 }, async () => {
    const file = await tmpLog();
    const url = await serve(file);
    // Several clients per pattern, each pattern different so that no two share their filtering:
    // costly filters take turns instead of adding up.
    const open = (pattern: string, i: number, format = 'text'): Promise<HttpStream> =>
      openStream(`${url}/stream?format=${format}&match=${encodeURIComponent(`${pattern}|never-${i}`)}`);
    const evilA = await Promise.all(Array.from({ length: EVIL_CLIENTS }, (_, i) => open('(a+)+$', i)));
    const evilDots = await Promise.all(Array.from({ length: EVIL_CLIENTS }, (_, i) => open('^(.|.|.)*Z', i, 'ndjson')));
    const other = await openStream(`${url}/stream`);

    const delivery: number[] = [];
    const health: number[] = [];
    for (let round = 0; round < 30; round++) {
      // Each round: hundreds of lines that make a backtracking engine take seconds to minutes each.
      appendFileSync(file, `${`${EVIL_A}\n${EVIL_DOTS}\n`.repeat(200)}aaaa\nZ\n`);
      delivery.push(await deliveryMs(file, other, `tick-${round}`));
      const t = performance.now();
      const probe = await getText(`${url}/healthz`);
      health.push(performance.now() - t);
      expect(probe.status).toBe(200);
    }
    // The clients holding the patterns got exactly their matches, so their filters did run.
    for (const client of evilA) expect((await client.waitForLines(30, 60_000)).every((l) => l === 'aaaa')).toBe(true);
    for (const client of evilDots) {
      const dots = await client.waitForLines(30, 60_000);
      expect(dots.map((l) => JSON.parse(l).line as string).every((l) => l === 'Z')).toBe(true);
    }

    const summary = `delivery p50 ${percentile(delivery, 0.5).toFixed(1)} max ${Math.max(...delivery).toFixed(1)} ms; /healthz p50 ${percentile(health, 0.5).toFixed(1)} max ${Math.max(...health).toFixed(1)} ms`;
    // The medians are held to 50 ms. A backtracking engine holds the thread for seconds to years
    // on these lines, so any round it ran in would show; single rounds on a shared, loaded machine
    // can be slower for reasons of its own, hence the generous bound on the slowest one.
    expect(percentile(delivery, 0.5), summary).toBeLessThan(50);
    expect(percentile(health, 0.5), summary).toBeLessThan(50);
    expect(Math.max(...delivery, ...health), summary).toBeLessThan(2000);
    console.log(summary);
  });

  it('refuses what cannot run in linear time with a 400 naming it, on /stream and /ws', async () => {
    const url = await serve(await tmpLog('a:1\n'));
    const cases: [string, RegExp][] = [
      ['(a)\\1', /backreferences \(\\1\)/],
      ['(?<x>a)\\k<x>', /backreferences \(\\k<name>\)/],
      ['(?=a)a', /lookahead/],
      ['(?<!a)b', /lookbehind/],
      ['(a{1000}){1000}', /cannot run in linear time/],
      ['x'.repeat(257), /longer than 256 characters/],
      ['(', /invalid regular expression/],
    ];
    for (const [pattern, reason] of cases) {
      const answer = await getText(`${url}/stream?match=${encodeURIComponent(pattern)}`);
      expect(answer.status, pattern).toBe(400);
      expect(answer.body, pattern).toMatch(reason);
      expect(answer.body.trim().split('\n')).toHaveLength(1);
    }
  });

  it('filters case-insensitively with ignore_case=1, as the i flag would', async () => {
    const file = await tmpLog('s1:Impression\ns2:click\ns3:IMPRESSION\nµ:ΜΜ\n');
    const url = await serve(file);
    const stream = await openStream(`${url}/stream?from=start&ignore_case=1&match=${encodeURIComponent('^s\\d:imp[r-s]ession$|:μμ')}`);
    expect(await stream.waitForLines(3)).toEqual(['s1:Impression', 's3:IMPRESSION', 'µ:ΜΜ']);
    const inverted = await openStream(`${url}/stream?from=start&ignore_case=1&invert=1&match=IMPRESSION`);
    expect(await inverted.waitForLines(2)).toEqual(['s2:click', 'µ:ΜΜ']);
  });
});
