import { appendFile, copyFile, readFile, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStream, type HttpStream } from '../../helpers/clients.js';
import { numbered } from '../../helpers/lines.js';
import { startServer } from '../../helpers/server.js';
import { tmpDir } from '../../helpers/tmp.js';
import { startWriter } from '../../helpers/writer.js';
import type { FileSource } from '../../../src/sources/file/index.js';

interface Rec {
  file?: string;
  line?: string;
  gap?: { reason: string };
}

function recordsOf(stream: HttpStream): Rec[] {
  const text = stream.text();
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
}

/**
 * The writer's file in a merged stream: increasing numbers, a jump only just after a gap of that
 * file, or over lines no file holds (written after copy-truncate's copy and before its truncate:
 * gone before anyone could read them, as for a single file).
 */
function expectExactBetweenGaps(recs: Rec[], file: string, last: number, onDisk: Set<number>): void {
  let previous = -1;
  let gapSince = false;
  for (const r of recs) {
    if (r.gap && r.file === file) gapSince = true;
    if (r.file !== file || r.gap) continue;
    const seq = Number(/^seq:(\d+)$/.exec(r.line ?? '')?.[1] ?? NaN);
    expect(seq, `after seq:${previous}`).toBeGreaterThan(previous);
    if (!gapSince) {
      const skipped = Array.from({ length: seq - previous - 1 }, (_, i) => previous + 1 + i);
      expect(skipped.filter((n) => onDisk.has(n)), `lines still in a file, skipped with no gap after seq:${previous}`).toEqual([]);
    }
    previous = seq;
    gapSince = false;
  }
  expect(previous).toBe(last);
}

describe('a merged stream while one of three files is copy-truncated under a writer flat out', () => {
  it('gives every line of the others exactly, and of the truncated file every line but where a gap says so', async () => {
    const dir = await tmpDir();
    const [rot, b, c] = ['rot.log', 'b.log', 'c.log'].map((f) => path.join(dir, f)) as [string, string, string];
    for (const f of [rot, b, c]) await appendFile(f, '');
    const server = await startServer({ files: [rot, b, c], stateDir: path.join(dir, 'state') });
    const follower = (server.channels.get(rot) as FileSource).follower;
    const live = await openStream(`${server.url}/stream?format=ndjson&from=start`);
    const writer = await startWriter(rot, 'hold', 0);
    let others = 0;
    for (let r = 1; r <= 4; r++) {
      await appendFile(b, numbered(others, 50, 'b'));
      await appendFile(c, numbered(others, 50, 'c'));
      others += 50;
      // Big enough that the writer cannot grow it back past this size before the server looks
      // (a truncation the follower never sees is no copy-truncate to test here).
      await expect.poll(async () => (await stat(rot)).size, { timeout: 20_000 }).toBeGreaterThan(256 * 1024);
      const before = follower.truncations;
      await copyFile(rot, `${rot}.${r}`);
      await truncate(rot, 0);
      await expect.poll(() => follower.truncations, { timeout: 20_000 }).toBeGreaterThan(before);
    }
    await appendFile(b, numbered(others, 50, 'b'));
    await appendFile(c, numbered(others, 50, 'c'));
    others += 50;
    const total = await writer.stop();
    const onDisk = new Set<number>();
    for (const f of [rot, ...[1, 2, 3, 4].map((r) => `${rot}.${r}`)]) {
      for (const m of (await readFile(f, 'utf8')).matchAll(/^seq:(\d+)$/gm)) onDisk.add(Number(m[1]));
    }
    const late = await openStream(`${server.url}/stream?format=ndjson&from=start`);
    for (const stream of [live, late]) {
      await expect
        .poll(() => recordsOf(stream).some((r) => r.line === `seq:${total - 1}`) && recordsOf(stream).filter((r) => r.file === b).length === others, { timeout: 60_000 })
        .toBe(true);
      const recs = recordsOf(stream);
      for (const [file, prefix] of [[b, 'b'], [c, 'c']] as const) {
        expect(recs.filter((r) => r.file === file && !r.gap).map((r) => r.line).join('\n')).toBe(numbered(0, others, prefix).trimEnd());
      }
      expect(recs.filter((r) => r.gap && r.file !== rot)).toEqual([]);
      expectExactBetweenGaps(recs, rot, total - 1, onDisk);
    }
  }, 120_000);
});
