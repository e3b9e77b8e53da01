import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStream } from '../../helpers/clients.js';
import { numbered } from '../../helpers/lines.js';
import { startServer } from '../../helpers/server.js';
import { tmpDir } from '../../helpers/tmp.js';

describe('a hand-made merged id pointing inside a line', () => {
  it('resumes at the start of that line, with the ids the server gives', async () => {
    const dir = await tmpDir();
    const [a, b] = [path.join(dir, 'a.log'), path.join(dir, 'b.log')];
    await writeFile(a, numbered(1, 5, 'a'));
    await writeFile(b, numbered(1, 5, 'b'));
    const server = await startServer({ files: [a, b], stateDir: path.join(dir, 'state') });
    const all = await openStream(`${server.url}/stream?format=ndjson&from=start`);
    const recs = (await all.waitForLines(10)).map((l) => JSON.parse(l) as { id: string; line: string });
    // Just after the first line of the first entry, and one byte and five bytes further (inside lines).
    const [, epoch, entry] = /^m\.([0-9a-z]+)\.([0-9a-z]+)\./.exec(recs[0]!.id)!;
    for (const [bytes, from] of [[4, 1], [5, 1], [9, 2], [1, 0]] as const) {
      const resumed = await openStream(`${server.url}/stream?format=ndjson&from=m.${epoch}.${entry}.${bytes.toString(36)}`);
      const got = (await resumed.waitForLines(10 - from)).map((l) => JSON.parse(l) as { id: string; line: string });
      expect(got, `from byte ${bytes}`).toEqual(recs.slice(from));
      resumed.close();
    }
  });
});
