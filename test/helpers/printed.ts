import { LineSink } from '../../src/client/record-bytes.js';
import { printedLines, type PrintedLines } from '../../src/client/printed-lines.js';
import type { GapRecord } from '../../src/wire/record.js';

/**
 * A line as printed: its UTF-8 bytes (a lone surrogate is written as U+FFFD), one character a byte
 * so that comparing them compares the bytes.
 */
export const printedAs = (line: string): string => Buffer.from(`${line}\n`).toString('latin1');

/** What the listener prints for these records by the definition: each record's line, by JSON.parse. */
export function expectedLines(records: Buffer): string {
  return records.toString().split('\n').filter(Boolean).map((r) => printedAs((JSON.parse(r) as { line: string }).line)).join('');
}

export interface Printed {
  text: string;
  count: number;
  error?: unknown;
  lastIds: string[];
}

/** Everything `printedLines` gives for one chunk (as latin1: its bytes), and what it threw; gaps noted in their place. */
export async function print(chunk: Buffer, max = Infinity, keep?: (line: string) => boolean, sink = new LineSink()): Promise<Printed> {
  let text = '';
  let count = 0;
  const lastIds: string[] = [];
  const gap = async (rec: GapRecord): Promise<void> => void (text += `<gap ${rec.id}>\n`);
  try {
    for await (const lines of printedLines(chunk, sink, { max }, gap, keep) as AsyncGenerator<PrintedLines>) {
      text += lines.bytes.toString('latin1');
      count += lines.count;
      lastIds.push(lines.lastId);
    }
  } catch (error) {
    return { text, count, error, lastIds };
  }
  return { text, count, lastIds };
}
