import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../src/sources/file/cursor.js';
import type { ListenEvent } from '../../../src/listen/index.js';
import { startListen } from '../../helpers/listen.js';
import { startServer } from '../../helpers/server.js';
import { tmpDir } from '../../helpers/tmp.js';

/** A server on a two-line file, and an id of that file beyond its end: resuming after it is a gap. */
async function setup() {
  const file = path.join(await tmpDir(), 'event.log');
  await writeFile(file, 'a:1\nb:2\n');
  const server = await startServer({ file });
  const res = await fetch(`${server.url}/stream?format=ndjson&from=start`);
  const start = decodeCursor(res.headers.get('evlog-start')!)!;
  await res.body?.cancel();
  return { file, server, beyond: encodeCursor({ ...start, offset: 10_000 }) };
}

describe('listen: gaps', () => {
  it('says a gap in one stderr line, never prints it as a line, and goes on from the data present', async () => {
    const { file, server, beyond } = await setup();
    const run = startListen({ url: server.url, from: beyond, count: 2 });
    await run.done;
    expect(run.stdout.lines()).toEqual(['a:1', 'b:2']);
    expect(run.logs).toEqual([`gap in ${file}: id beyond the end of its file`]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^evlog_gaps_total 1$/m);
  });

  it('prints the gap record itself with --json, and never passes it to the callback', async () => {
    const { file, server, beyond } = await setup();
    const json = startListen({ url: server.url, from: beyond, count: 2, json: true });
    await json.done;
    const printed = json.stdout.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(printed[0]).toEqual({ id: expect.any(String), file, gap: { reason: 'id beyond the end of its file', bytes: null } });
    expect(printed.slice(1).map((r) => r.line)).toEqual(['a:1', 'b:2']);
    const seen: ListenEvent[] = [];
    const withCallback = startListen({ url: server.url, from: beyond, count: 2, callback: (event) => void seen.push(event) });
    await withCallback.done;
    expect(seen.map((e) => e.line)).toEqual(['a:1', 'b:2']);
    expect(withCallback.logs).toEqual([`gap in ${file}: id beyond the end of its file`]);
  });
});
