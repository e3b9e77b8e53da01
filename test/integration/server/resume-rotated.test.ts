import { rename, rm, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openStream, getText, type HttpStream } from '../../helpers/clients.js';
import { expectEachOnce, SeqList } from '../../helpers/lines.js';
import { startServer } from '../../helpers/server.js';
import { tmpLog } from '../../helpers/tmp.js';
import { startWriter } from '../../helpers/writer.js';
import type { EvlogServer } from '../../../src/server/index.js';
import type { GapRecord, StreamRecord } from '../../../src/wire/types.js';

type Rec = Partial<StreamRecord> & Partial<GapRecord> & { id: string };

/** The complete NDJSON records received so far. */
function recordsOf(stream: HttpStream): Rec[] {
  const text = stream.text();
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
}

function seqsOf(records: Rec[]): SeqList {
  const seqs = new SeqList();
  for (const r of records) if (r.line !== undefined) seqs.addLines(Buffer.from(`${r.line}\n`));
  return seqs;
}

/**
 * One numbered rotation, as logrotate does it (`.2` → `.3`, `.1` → `.2`, the file → `.1`), once
 * the writer has put something in the file; resolves once the server follows the new file.
 */
async function rotate(file: string, kept: number, server: EvlogServer | undefined): Promise<void> {
  await expect.poll(async () => (await stat(file).catch(() => undefined))?.size ?? 0).toBeGreaterThan(0);
  for (let k = kept; k >= 1; k--) await rename(`${file}.${k}`, `${file}.${k + 1}`);
  const before = server?.follower.rotations ?? 0;
  await rename(file, `${file}.1`);
  if (server) await expect.poll(() => server.follower.rotations).toBeGreaterThan(before);
}

describe('resuming by id across rotations', () => {
  it.each([
    [1, 'the same server'],
    [3, 'the same server'],
    [1, 'a restarted server'],
    [3, 'a restarted server'],
  ] as const)('a reader disconnected across %i rotation(s) resumes inside the rotated file (%s)', async (rotations, how) => {
    const file = await tmpLog();
    let server = await startServer({ file });
    const writer = await startWriter(file, 'reopen', 300);
    const first = await openStream(`${server.url}/stream?format=ndjson&from=start`);
    await first.waitForLines(30);
    first.close();
    const before = recordsOf(first);
    const restart = how === 'a restarted server';
    if (restart) await server.close();
    for (let r = 0; r < rotations; r++) await rotate(file, r, restart ? undefined : server);
    await expect.poll(async () => (await stat(file).catch(() => undefined))?.size ?? 0).toBeGreaterThan(0);
    if (restart) server = await startServer({ file });
    const second = await openStream(`${server.url}/stream?format=ndjson&from=${before[before.length - 1]!.id}`);
    const total = await writer.stop();
    await second.waitForLines(total - before.length);
    const after = recordsOf(second);
    expect(after.filter((r) => r.gap)).toEqual([]);
    const all = seqsOf([...before, ...after]);
    const files = [...Array.from({ length: rotations }, (_, i) => `${file}.${rotations - i}`), file];
    await expectEachOnce(all, total, files);
  });

  it('says where a rotated file was deleted, then goes on from the oldest data still present', async () => {
    const file = await tmpLog();
    const server = await startServer({ file });
    const writer = await startWriter(file, 'reopen', 300);
    const first = await openStream(`${server.url}/stream?format=ndjson&from=start`);
    await first.waitForLines(30);
    first.close();
    const before = recordsOf(first);
    // Three rotations: the first file is no longer drained, and nobody holds it open.
    for (let r = 0; r < 3; r++) await rotate(file, r, server);
    await rm(`${file}.3`);
    const second = await openStream(`${server.url}/stream?format=ndjson&from=${before[before.length - 1]!.id}`);
    await writer.stop();
    const onDisk = [`${file}.2`, `${file}.1`, file];
    let present = 0;
    for (const f of onDisk) present += (await stat(f)).size;
    // The gap, then every line of the files still there.
    const linesAfter = (): Rec[] => recordsOf(second).filter((r) => r.line !== undefined);
    await expect.poll(() => linesAfter().reduce((sum, r) => sum + r.line!.length + 1, 0)).toBe(present);
    const after = recordsOf(second);
    expect(after[0]).toMatchObject({ file, gap: { reason: 'rotated file gone', bytes: null } });
    await expectEachOnce(seqsOf(after.slice(1)), undefined, onDisk);
    const metrics = (await getText(`${server.url}/metrics`)).body;
    expect(metrics).toMatch(/^evlog_gaps_total 1$/m);
  });
});
