import { appendFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStream, type HttpStream } from '../../helpers/clients.js';
import { expectEachOnce, numbered, SeqList } from '../../helpers/lines.js';
import { startServer } from '../../helpers/server.js';
import { tmpDir } from '../../helpers/tmp.js';
import { startWriter } from '../../helpers/writer.js';
import type { FileSource } from '../../../src/sources/file/index.js';

interface Rec {
  id: string;
  file?: string;
  line?: string;
  gap?: unknown;
}

function recordsOf(stream: HttpStream): Rec[] {
  const text = stream.text();
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
}

describe('a merged stream while one of its files rotates under a writer', () => {
  it('loses and repeats nothing in any file, also for a client that left and resumed by id', async () => {
    const dir = await tmpDir();
    const [rotating, b, c] = ['rot.log', 'b.log', 'c.log'].map((f) => path.join(dir, f)) as [string, string, string];
    for (const f of [rotating, b, c]) await appendFile(f, '');
    const server = await startServer({ files: [rotating, b, c], stateDir: path.join(dir, 'state') });
    const follower = (server.channels.get(rotating) as FileSource).follower;
    const whole = await openStream(`${server.url}/stream?format=ndjson&from=start`);
    const leaving = await openStream(`${server.url}/stream?format=ndjson&from=start`);
    const writer = await startWriter(rotating, 'reopen', 400);
    let others = 0;
    const writeOthers = async (n: number): Promise<void> => {
      await appendFile(b, numbered(others, n, 'b'));
      await appendFile(c, numbered(others, n, 'c'));
      others += n;
    };
    for (let r = 1; r <= 2; r++) {
      await expect.poll(async () => (await stat(rotating)).size).toBeGreaterThan(0);
      await writeOthers(20);
      if (r === 2) await rename(`${rotating}.1`, `${rotating}.2`);
      const before = follower.rotations;
      await rename(rotating, `${rotating}.1`);
      await expect.poll(() => follower.rotations).toBeGreaterThan(before);
      await writeOthers(20);
      if (r === 1) {
        await expect.poll(() => recordsOf(leaving).length).toBeGreaterThan(10);
        leaving.close();
      }
    }
    const left = recordsOf(leaving);
    const resumed = await openStream(`${server.url}/stream?format=ndjson&from=${encodeURIComponent(left.at(-1)!.id)}`);
    await writeOthers(20);
    const total = await writer.stop();
    const expected = total + 2 * others;
    await whole.waitForLines(expected, 20_000);
    await resumed.waitForLines(expected - left.length, 20_000);

    for (const recs of [recordsOf(whole), [...left, ...recordsOf(resumed)]]) {
      expect(recs.filter((r) => r.gap !== undefined)).toEqual([]);
      const seqs = new SeqList();
      for (const r of recs) if (r.file === rotating) seqs.addLines(Buffer.from(`${r.line}\n`));
      await expectEachOnce(seqs, total, [`${rotating}.2`, `${rotating}.1`, rotating]);
      for (const [file, prefix] of [[b, 'b'], [c, 'c']] as const) {
        expect(recs.filter((r) => r.file === file).map((r) => r.line).join('\n')).toBe(numbered(0, others, prefix).trimEnd());
      }
      expect(recs).toHaveLength(expected);
    }
  });
});
