import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStream } from '../../helpers/clients.js';
import { startServer } from '../../helpers/server.js';
import { tmpDir } from '../../helpers/tmp.js';

interface Rec {
  id: string;
  file: string;
  line: string;
}

describe('a merged stream of a thousand files', () => {
  it('keeps every id within 128 bytes and resumes from any of them', async () => {
    const dir = await tmpDir();
    // Long names: an id must not grow with them either.
    const files = Array.from({ length: 1000 }, (_, i) => path.join(dir, `${'service-with-a-long-name-'.repeat(3)}${i}.log`));
    await Promise.all(files.map((f, i) => writeFile(f, `pre:${i}\n`)));
    const server = await startServer({ files, stateDir: path.join(dir, 'state') });
    const all = await openStream(`${server.url}/stream?format=ndjson&from=start`);
    for (const [i, f] of files.entries()) if (i % 7 === 0) await appendFile(f, `post:${i}\n`);
    const recs = (await all.waitForLines(1000 + 143, 60_000)).map((l) => JSON.parse(l) as Rec);
    const longest = Math.max(...recs.map((r) => Buffer.byteLength(r.id)));
    expect(longest).toBeLessThanOrEqual(128);
    expect(new Set(recs.map((r) => r.line)).size).toBe(recs.length);
    for (const r of recs) expect(r.line.endsWith(`:${files.indexOf(r.file)}`)).toBe(true);
    const cut = 700;
    const resumed = await openStream(`${server.url}/stream?format=ndjson&from=${encodeURIComponent(recs[cut]!.id)}`);
    expect((await resumed.waitForLines(recs.length - cut - 1, 60_000)).map((l) => (JSON.parse(l) as Rec).line)).toEqual(recs.slice(cut + 1).map((r) => r.line));
  }, 120_000);
});
