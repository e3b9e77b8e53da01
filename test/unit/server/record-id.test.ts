import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../../src/sources/batch.js';
import { recordJson } from '../../../src/wire/record.js';
import { encodeBatch } from '../../../src/server/encode.js';
import type { RecordEncoding } from '../../../src/server/record-writer.js';
import { idAround } from '../../../src/sources/file/cursor.js';
import { idPrefix } from '../../../src/sources/merge/id.js';

/**
 * The escaping module writes each record whole, its id included: the offset's base-36 digits
 * (src/wasm/escape.wat `$id`) between the batch's prefix and suffix, once or (SSE) twice, in the
 * frame of each encoding. These cases hold ids at the digit-count edges and up to the largest safe
 * integer, with every shape of prefix and suffix the sources write, to the definition.
 */

const offsets = [0, 1, 35, 36, 37, 36 ** 2 - 1, 36 ** 2, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 35, 36 ** 7, 36 ** 7 - 1, 2 ** 52 + 1, 2 ** 53 - 36, 2 ** 53 - 1];

/** [prefix, suffix] as the file reader (one position, one with older ones, no fingerprint) and the merged stream write them. */
const shapes: [string, string][] = [
  ['1.a.b.', ''],
  Object.values(idAround([{ dev: 2049, ino: 131_075, fp: 0x7fff_ffff, offset: 0 }], 0)) as [string, string],
  Object.values(idAround([{ dev: 1, ino: 2, fp: undefined, offset: 5 }, { dev: 1, ino: 3, fp: 99, offset: 0 }], 1)) as [string, string],
  Object.values(idAround([{ dev: 1, ino: 2, fp: 7, offset: 2 ** 40 }, { dev: 1, ino: 3, fp: undefined, offset: 1234 }, { dev: 1, ino: 4, fp: 1, offset: 0 }], 0)) as [string, string],
  [idPrefix('k2v9x0', 0), ''],
  [idPrefix('zzzzzzzzzzzzz', 2 ** 53 - 1), ''],
  ['', ''],
];

/** Each way a record is settled: in the module (text, event, winston, plain), or left to JavaScript (escaped event, JSON of another shape, non-ASCII). */
const lines = ['plain text line', 's-1:impression', '{"level":"info","message":"s-2:click","session":"s-2","event":"click"}', 'x', '', 'tab\t:x', 's:"q"', '{"a":1,"session":"s","event":"e"}', 'caf\u00e9:cr\u00e8me', `s:${'y'.repeat(60)}`];

function framed(encoding: RecordEncoding, id: string, json: string): string {
  if (encoding === 'sse') return `id: ${id}\ndata: ${json}\n\n`;
  if (encoding === 'sse-batch') return `data: ${json}\n`;
  return encoding === 'ndjson' ? `${json}\n` : json;
}

const encodings = ['ndjson', 'sse', 'sse-batch', 'ws-ndjson'] as const;

describe('record ids written by the escaping module', () => {
  it.each(encodings)('spells every offset as Number#toString(36) does, between each shape of prefix and suffix, as %s', (encoding) => {
    for (const [prefix, suffix] of shapes) {
      for (const offset of offsets) {
        for (const line of lines) {
          for (const limit of [1000, 3]) {
            const buf = Buffer.from(line);
            const truncated = buf.length > limit;
            const single: LineBatch = { idPrefix: prefix, idSuffix: suffix, file: 'logs/app.log', base: Math.max(0, offset - buf.length), buf, single: { end: offset, truncated: false }, release: () => undefined };
            const id = `${prefix}${offset.toString(36)}${suffix}`;
            const json = recordJson(id, 'logs/app.log', buf.subarray(0, limit).toString(), truncated);
            const want = encoding === 'sse-batch' ? `id: ${id}\n${framed(encoding, id, json)}\n` : framed(encoding, id, json);
            expect(encodeBatch(single, { encoding, maxLineBytes: limit }).payload.toString(), `${id} ${JSON.stringify(line)}`).toBe(want);
          }
        }
      }
    }
  });

  it.each(encodings)('gives each record of a batch its own id across digit-count edges, as %s', (encoding) => {
    for (const [prefix, suffix] of shapes) {
      for (const edge of [36, 36 ** 2, 2 ** 32, 36 ** 7, 2 ** 53 - 1]) {
        const batchLines = Array.from({ length: 40 }, (_, i) => lines[i % lines.length]!);
        const buf = Buffer.from(batchLines.map((l) => `${l}\n`).join(''));
        // The batch's offsets run across the edge (for the last, up to the largest safe integer).
        const base = Math.min(Math.max(0, edge - (buf.length >> 1)), 2 ** 53 - 1 - buf.length);
        const batch: LineBatch = { idPrefix: prefix, idSuffix: suffix, file: 'logs/"x"\u00e9.log', base, buf, release: () => undefined };
        let offset = base;
        const records = batchLines.map((line) => {
          offset += Buffer.byteLength(line) + 1;
          const id = `${prefix}${offset.toString(36)}${suffix}`;
          return framed(encoding, id, recordJson(id, 'logs/"x"\u00e9.log', line, false));
        });
        const lastId = `${prefix}${offset.toString(36)}${suffix}`;
        const want = encoding === 'ws-ndjson' ? records.join('\n') : encoding === 'sse-batch' ? `id: ${lastId}\n${records.join('')}\n` : records.join('');
        const got = encodeBatch(batch, { encoding, maxLineBytes: 1000 });
        expect(got.lastId).toBe(lastId);
        expect(got.payload.toString(), `${prefix} ${suffix} ${edge}`).toBe(want);
      }
    }
  });
});

describe("the batch's constant parts in the module's memory", () => {
  it('are placed whole when the batch ends just short of the end of the memory', async () => {
    const { memory } = await import('../../../src/server/json-escape.js');
    const INPUT = 32768;
    const file = `logs/${'f'.repeat(60)}.log`;
    for (let k = 0; k <= 320; k += 3) {
      // Lines the filter drops fill the batch up to k bytes before the memory's end, then one record.
      const last = Buffer.from('s-1:end\n');
      const size = memory.bytes.length - INPUT - k - last.length;
      if (size < 0) continue;
      const filler = Buffer.alloc(size, 0x78);
      for (let i = 63; i < size; i += 64) filler[i] = 0x0a;
      if (size > 0) filler[size - 1] = 0x0a;
      const batch: LineBatch = { idPrefix: '1.a.b.', idSuffix: '.c-d-e', file, base: 0, buf: Buffer.concat([filler, last]), release: () => undefined };
      const id = `1.a.b.${(size + last.length).toString(36)}.c-d-e`;
      // A filtered batch is encoded in time slices: each goes on where the one before stopped.
      let got = '';
      for (let from = 0; from < batch.buf.length; ) {
        const slice = encodeBatch(batch, { encoding: 'sse', maxLineBytes: 1000, match: /end/ }, false, from);
        got += slice.payload.toString();
        from = slice.end;
      }
      expect(got, `k ${k}`).toBe(`id: ${id}\ndata: ${recordJson(id, file, 's-1:end', false)}\n\n`);
    }
  });
});
