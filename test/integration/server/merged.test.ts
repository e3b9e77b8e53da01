import { appendFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { getText, openStream, openWs } from '../../helpers/clients.js';
import { numbered } from '../../helpers/lines.js';
import { startServer } from '../../helpers/server.js';
import { tmpDir } from '../../helpers/tmp.js';

interface Rec {
  id: string;
  file?: string;
  line?: string;
  gap?: { reason: string };
}

const parse = (lines: string[]): Rec[] => lines.map((l) => JSON.parse(l) as Rec);

/** `<prefix>:<i>` numbers per file, asserting each file's lines came in order, each once. */
function perFile(recs: Rec[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of recs) {
    if (r.line === undefined) continue;
    const list = out.get(r.file!) ?? [];
    list.push(Number(r.line.split(':')[1]));
    out.set(r.file!, list);
  }
  return out;
}

async function files(n: number): Promise<{ dir: string; state: string; paths: string[] }> {
  const dir = await tmpDir();
  const paths = Array.from({ length: n }, (_, i) => path.join(dir, `f${i}.log`));
  for (const p of paths) await appendFile(p, '');
  return { dir, state: path.join(dir, 'state'), paths };
}

describe('a server of several files', () => {
  it('merges them, every record naming its file, each file in order; file= selects by name or glob; /files', async () => {
    const { paths, state } = await files(2);
    const [a, b] = paths as [string, string];
    const server = await startServer({ files: paths, stateDir: state });
    const all = await openStream(`${server.url}/stream?format=ndjson`);
    const onlyA = await openStream(`${server.url}/stream?format=ndjson&file=${encodeURIComponent(a)}`);
    const globB = await openStream(`${server.url}/stream?format=ndjson&file=${encodeURIComponent(path.join(path.dirname(b), '*1.log'))}`);
    const wsBoth = await openWs(`${server.url.replace('http', 'ws')}/ws?file=${encodeURIComponent(b)}&file=${encodeURIComponent(path.join(path.dirname(a), '*0.log'))}`);
    for (let i = 0; i < 20; i++) {
      await appendFile(a, numbered(i * 5, 5, 'a'));
      await appendFile(b, numbered(i * 3, 3, 'b'));
    }
    const merged = parse(await all.waitForLines(160));
    expect(merged.every((r) => r.file === a || r.file === b)).toBe(true);
    const seen = perFile(merged);
    expect(seen.get(a)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(seen.get(b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(merged.every((r) => r.line!.startsWith(r.file === a ? 'a:' : 'b:'))).toBe(true);
    expect(merged.every((r) => Buffer.byteLength(r.id) <= 128)).toBe(true);

    const justA = parse(await onlyA.waitForLines(100));
    expect(justA.map((r) => r.line)).toEqual(numbered(0, 100, 'a').trimEnd().split('\n'));
    expect(justA.every((r) => r.file === a)).toBe(true);
    const justB = parse(await globB.waitForLines(60));
    expect(perFile(justB)).toEqual(new Map([[b, Array.from({ length: 60 }, (_, i) => i)]]));
    // Two values on /ws: both files, merged in the server's order.
    const overWs = parse(await wsBoth.waitForLines(160));
    expect(overWs.map((r) => r.line)).toEqual(merged.map((r) => r.line));

    // /files: each file's end, as an id that resumes it with file=.
    const listed = JSON.parse((await getText(`${server.url}/files`)).body) as { file: string; size: number; id: string }[];
    expect(listed.map((f) => [f.file, f.size])).toEqual([[a, Buffer.byteLength(numbered(0, 100, 'a'))], [b, Buffer.byteLength(numbered(0, 60, 'b'))]]);
    const fromEnd = await openStream(`${server.url}/stream?format=ndjson&file=${encodeURIComponent(a)}&from=${encodeURIComponent(listed[0]!.id)}`);
    await appendFile(a, 'a:100\n');
    expect(parse(await fromEnd.waitForLines(1)).map((r) => r.line)).toEqual(['a:100']);

    // An exact name the server does not follow is a bad request; so is a file's own id without its file.
    expect((await getText(`${server.url}/stream?file=nope.log`)).status).toBe(400);
    expect((await getText(`${server.url}/stream?from=${encodeURIComponent(listed[0]!.id)}`)).status).toBe(400);
  });

  it('resumes a merged stream exactly from any id it sent, by from= and by Last-Event-ID', async () => {
    const { paths, state } = await files(3);
    const server = await startServer({ files: paths, stateDir: state });
    const first = await openStream(`${server.url}/stream?format=ndjson`);
    for (let round = 0; round < 30; round++) {
      for (const [i, p] of paths.entries()) await appendFile(p, numbered(round * (i + 1), i + 1, `f${i}`));
    }
    const total = 30 * 6;
    const before = parse(await first.waitForLines(total));
    first.close();
    for (const cut of [0, 1, 37, 100, total - 1]) {
      const id = before[cut]!.id;
      const viaFrom = await openStream(`${server.url}/stream?format=ndjson&from=${encodeURIComponent(id)}`);
      expect(parse(await viaFrom.waitForLines(total - cut - 1)).map((r) => r.line)).toEqual(before.slice(cut + 1).map((r) => r.line));
      viaFrom.close();
    }
    // SSE: the browser's reconnect sends the last id it saw.
    const sse = await openStream(`${server.url}/stream?format=sse`, { 'last-event-id': before[50]!.id });
    await vi.waitFor(() => expect(sse.text().split('\n\n').filter((e) => e.includes('data: ')).length).toBeGreaterThanOrEqual(total - 51));
    const data = sse.text().split('\n').filter((l) => l.startsWith('data: ')).map((l) => (JSON.parse(l.slice(6)) as Rec).line);
    expect(data).toEqual(before.slice(51).map((r) => r.line));
    // Lines written later follow in every file's order.
    const resumed = await openStream(`${server.url}/stream?format=ndjson&from=${encodeURIComponent(before.at(-1)!.id)}`);
    await appendFile(paths[1]!, 'f1:60\n');
    await appendFile(paths[0]!, 'f0:30\n');
    expect(parse(await resumed.waitForLines(2)).map((r) => r.line)).toEqual(['f1:60', 'f0:30']);
    // tail=n: the last n lines of the merged order.
    const tail = await openStream(`${server.url}/stream?format=ndjson&tail=7`);
    expect(parse(await tail.waitForLines(7)).map((r) => r.line)).toEqual([...before.slice(-5).map((r) => r.line), 'f1:60', 'f0:30']);
  });

  it('counts what the files held before the server started as old: new-lines-only streams start after it', async () => {
    const { paths, state } = await files(3);
    // Big enough that reading it takes the server a while: a stream opened at once must not get it.
    const old = `${'o'.repeat(99)}\n`.repeat(80_000);
    for (const p of paths) await appendFile(p, old);
    const server = await startServer({ files: paths, stateDir: state });
    const fresh = await openStream(`${server.url}/stream?format=ndjson`);
    await appendFile(paths[2]!, 'new:1\n');
    expect(parse(await fresh.waitForLines(1)).map((r) => r.line)).toEqual(['new:1']);
    // tail=n and from=start reach into it.
    const tail = await openStream(`${server.url}/stream?format=ndjson&tail=2`);
    expect(parse(await tail.waitForLines(2)).map((r) => r.line)).toEqual(['o'.repeat(99), 'new:1']);
  }, 30_000);

  it('keeps a bounded index: old entries go, and an id older than what is kept gets a gap, then the oldest kept', async () => {
    const { paths, state } = await files(2);
    const server = await startServer({ files: paths, stateDir: state, stateMaxBytes: 8192 });
    const live = await openStream(`${server.url}/stream?format=ndjson`);
    // One entry per append: each a separate batch the live stream waits for.
    const n = 600;
    for (let i = 0; i < n; i++) {
      await appendFile(paths[i % 2]!, `f${i % 2}:${i}\n`);
      await live.waitForLines(i + 1);
    }
    const recs = parse(live.lines());
    const [dir] = await readdir(state);
    const segments = (await readdir(path.join(state, dir!))).filter((f) => f.startsWith('seg-'));
    // 8 KB in segments of 1 KB: the oldest were deleted.
    expect(segments.length).toBeLessThanOrEqual(9);
    const old = await openStream(`${server.url}/stream?format=ndjson&from=${encodeURIComponent(recs[0]!.id)}`);
    const [gap, ...after] = parse(await old.waitForLines(2));
    expect(gap!.gap?.reason).toMatch(/older than the index keeps/);
    expect(after[0]!.line).not.toBe(recs[1]!.line);
    const firstKept = recs.findIndex((r) => r.line === after[0]!.line);
    expect(firstKept).toBeGreaterThan(100);
    const rest = parse(await old.waitForLines(1 + n - firstKept)).slice(1);
    expect(rest.map((r) => r.line)).toEqual(recs.slice(firstKept).map((r) => r.line));
    // A recent id still resumes exactly.
    const recent = await openStream(`${server.url}/stream?format=ndjson&from=${encodeURIComponent(recs[n - 10]!.id)}`);
    expect(parse(await recent.waitForLines(9)).map((r) => r.line)).toEqual(recs.slice(n - 9).map((r) => r.line));
  });
});
