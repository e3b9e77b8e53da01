import { appendFile, copyFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openStream, type HttpStream } from '../../helpers/clients.js';
import { numbered } from '../../helpers/lines.js';
import { startServer } from '../../helpers/server.js';
import { tmpDir } from '../../helpers/tmp.js';

interface Rec {
  id: string;
  file?: string;
  line?: string;
  gap?: { reason: string; file?: string };
}

function recordsOf(stream: HttpStream): Rec[] {
  return stream.lines().map((l) => JSON.parse(l) as Rec);
}

/** Each file's lines (and `gap` where a gap record stood) in the order the stream gave them. */
function byFile(recs: Rec[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of recs) {
    const file = path.basename(r.file ?? r.gap?.file ?? '?');
    (out[file] ??= []).push(r.gap ? `gap:${r.gap.reason}` : r.line!);
  }
  return out;
}

const lines = (prefix: string, from: number, to: number): string[] => numbered(from, to - from + 1, prefix).trimEnd().split('\n');

async function twoFiles(): Promise<{ dir: string; a: string; b: string; stateDir: string }> {
  const dir = await tmpDir();
  const [a, b] = [path.join(dir, 'a.log'), path.join(dir, 'b.log')];
  await writeFile(a, numbered(1, 3, 'a'));
  await writeFile(b, numbered(1, 3, 'b'));
  return { dir, a, b, stateDir: path.join(dir, 'state') };
}

describe('a merged stream when one of its files loses lines', () => {
  it('after a copy-truncate: live clients get every new line, from=start a gap where lines are gone, and neither stalls', async () => {
    const { a, b, stateDir } = await twoFiles();
    const server = await startServer({ files: [a, b], stateDir });
    const live = await openStream(`${server.url}/stream?format=ndjson`);
    await copyFile(b, `${b}.1`);
    await truncate(b, 0);
    await appendFile(b, 'b:4\n');
    await appendFile(a, 'a:4\n');
    await live.waitForLines(2);
    const fromStart = await openStream(`${server.url}/stream?format=ndjson&from=start`);
    await appendFile(a, 'a:5\n');
    await appendFile(b, 'b:5\n');
    await live.waitForLines(4);
    expect(byFile(recordsOf(live))).toEqual({ 'a.log': ['a:4', 'a:5'], 'b.log': ['b:4', 'b:5'] });
    await vi.waitFor(() => expect(byFile(recordsOf(fromStart))).toEqual({ 'a.log': lines('a', 1, 5), 'b.log': ['gap:truncated', 'b:4', 'b:5'] }), { timeout: 10_000 });
  });

  it('after a rotation whose rotated file is deleted: from=start, tail= and a resume after a restart give every line still there', async () => {
    const { a, b, stateDir } = await twoFiles();
    let server = await startServer({ files: [a, b], stateDir });
    const live = await openStream(`${server.url}/stream?format=ndjson`);
    await rename(a, `${a}.1`);
    await writeFile(a, 'a:4\n');
    await live.waitForLines(1);
    await appendFile(b, 'b:4\n');
    await live.waitForLines(2);
    await rm(`${a}.1`);
    await appendFile(b, 'b:5\n');
    await live.waitForLines(3);
    const idOfA4 = recordsOf(live).find((r) => r.line === 'a:4')!.id;
    const tail = await openStream(`${server.url}/stream?format=ndjson&tail=3`);
    await vi.waitFor(() => expect(byFile(recordsOf(tail))).toEqual({ 'a.log': ['a:4'], 'b.log': ['b:4', 'b:5'] }), { timeout: 10_000 });

    // After a restart nothing holds the deleted file open: its lines are gone for good.
    await server.close();
    server = await startServer({ files: [a, b], stateDir });
    const fromStart = await openStream(`${server.url}/stream?format=ndjson&from=start`);
    const again = await openStream(`${server.url}/stream?format=ndjson&tail=3`);
    const resumed = await openStream(`${server.url}/stream?format=ndjson&from=${encodeURIComponent(idOfA4)}`);
    await vi.waitFor(() => expect(byFile(recordsOf(fromStart))).toEqual({ 'a.log': ['gap:rotated file gone', 'a:4'], 'b.log': lines('b', 1, 5) }), { timeout: 10_000 });
    await vi.waitFor(() => expect(byFile(recordsOf(again))).toEqual({ 'a.log': ['a:4'], 'b.log': ['b:4', 'b:5'] }), { timeout: 10_000 });
    await vi.waitFor(() => expect(byFile(recordsOf(resumed))).toEqual({ 'b.log': ['b:4', 'b:5'] }), { timeout: 10_000 });
    // None of them stalls.
    await appendFile(a, 'a:5\n');
    await appendFile(b, 'b:6\n');
    for (const s of [fromStart, again, resumed]) await vi.waitFor(() => expect(recordsOf(s).slice(-2).map((r) => r.line).sort()).toEqual(['a:5', 'b:6']), { timeout: 10_000 });
  });
});
