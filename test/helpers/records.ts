import { recordJson } from '../../src/wire/record.js';
import type { LineBatch } from '../../src/sources/batch.js';

/** Raw lines (no `\n`) as a batch of a file at `base`, ids `1.a.b.<offset>`. */
export function batchOfLines(lines: readonly Buffer[], base = 0): LineBatch {
  return { idPrefix: '1.a.b.', idSuffix: '', file: 'logs/app.log', base, buf: Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])), release: () => undefined };
}

/** The NDJSON records of `batchOfLines(lines, base)` as the definition (`recordJson`) spells them. */
export function referenceRecords(lines: readonly Buffer[], base: number, maxLineBytes: number): string {
  let offset = base;
  return lines.map((raw) => {
    offset += raw.length + 1;
    // A trailing CR is dropped before the line is cut to its limit.
    const line = raw.at(-1) === 0x0d ? raw.subarray(0, -1) : raw;
    const cut = line.subarray(0, maxLineBytes);
    return `${recordJson(`1.a.b.${offset.toString(36)}`, 'logs/app.log', cut.toString(), line.length > maxLineBytes)}\n`;
  }).join('');
}
