import { afterEach, vi } from 'vitest';
import { Follower } from '../../src/sources/file/follower.js';
import { LineReader, type StartAt } from '../../src/sources/file/reader.js';
import { encodeBatch } from '../../src/server/encode.js';
import type { GapRecord, StreamRecord } from '../../src/wire/types.js';
import { SeqList } from './lines.js';

/** A record or a gap record, as a reader's batches encode to. */
export type Rec = StreamRecord & Partial<GapRecord>;

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

export async function follow(file: string, pollMs = 1000, quietMs?: number): Promise<Follower> {
  const follower = await Follower.start(file, { pollMs, quietMs });
  open.push(follower);
  return follower;
}

/** Reads records from a reader in the background, as a transport would. */
export function subscribe(follower: Follower, startAt: StartAt = { kind: 'new' }, maxLineBytes = 1024 * 1024, readSize?: number) {
  const reader = new LineReader(follower, startAt, { maxLineBytes, readSize });
  open.push(reader);
  const records: Rec[] = [];
  const done = (async () => {
    for (let batch = await reader.next(); batch; batch = await reader.next()) {
      const { payload } = encodeBatch(batch, { encoding: 'ndjson', maxLineBytes });
      for (const json of String(payload).split('\n')) if (json) records.push(JSON.parse(json) as Rec);
    }
  })();
  return {
    reader,
    records,
    /** The lines, without gap records. */
    lines: () => records.filter((r) => !r.gap).map((r) => r.line),
    gaps: () => records.filter((r) => r.gap),
    done,
    waitFor: (n: number, timeout = 10_000) =>
      vi.waitFor(() => {
        if (records.filter((r) => !r.gap).length < n) throw new Error(`${records.length} of ${n} records; last ${JSON.stringify(records.slice(-2))}`);
      }, { timeout, interval: 5 }),
  };
}

/**
 * Like `subscribe`, but keeps only the numbers of `seq:<n>` lines (see lines.ts): cheap enough to
 * keep up with a writer running flat out. Gaps do not show here (the follower counts them).
 */
export function subscribeSeqs(follower: Follower, startAt: StartAt = { kind: 'new' }) {
  const reader = new LineReader(follower, startAt, { maxLineBytes: 1024 * 1024 });
  open.push(reader);
  const seqs = new SeqList();
  void (async () => {
    for (let batch = await reader.next(); batch; batch = await reader.next()) {
      seqs.addLines(encodeBatch(batch, { encoding: 'text', maxLineBytes: 1024 * 1024 }).payload);
      batch.release();
    }
  })();
  return {
    seqs,
    waitFor: (n: number, timeout = 10_000) =>
      vi.waitFor(() => {
        if (seqs.length < n) throw new Error(`${seqs.length} of ${n} lines`);
      }, { timeout, interval: 5 }),
  };
}
