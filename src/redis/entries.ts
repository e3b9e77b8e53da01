/**
 * How a batch read from a file becomes stream entries: one per line (or one for a gap), each
 * carrying the evlog id of the position just after it: the last one of a call is the position the
 * mirror stores (append.ts), so a restart resumes right after it. An entry travels as one string,
 * its fields and values joined by `\n` (which no line, id, session, event or gap reason holds), and
 * the append script turns each back into an `XADD`.
 */
import { parseEventLine } from '../wire/record.js';
import type { LineBatch } from '../sources/batch.js';

/** The entries of `batch`, in file order; a gap is one entry with `gap` (its reason) and no `line`. */
export function batchEntries(batch: LineBatch, maxLineBytes: number): string[] {
  const { idPrefix, idSuffix, base, buf, single } = batch;
  if (batch.gap) {
    let entry = `id\n${idPrefix}${base.toString(36)}${idSuffix}\ngap\n${batch.gap.reason.replace(/\n/g, ' ')}`;
    if (batch.gap.bytes !== null) entry += `\ngap_bytes\n${batch.gap.bytes}`;
    return [entry];
  }
  const out: string[] = [];
  for (let pos = 0; pos < buf.length || (single && out.length === 0); ) {
    const start = pos;
    const nl = single ? buf.length : buf.indexOf(0x0a, pos);
    pos = nl + 1;
    const offset = single ? single.end : base + pos;
    let end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    let truncated = single?.truncated ?? false;
    if (end - start > maxLineBytes) {
      end = start + maxLineBytes;
      truncated = true;
    }
    const line = buf.toString('utf8', start, end);
    let entry = `line\n${line}\nid\n${idPrefix}${offset.toString(36)}${idSuffix}`;
    const event = parseEventLine(line);
    if (event) entry += `\nsession\n${event.session}\nevent\n${event.event}`;
    if (truncated) entry += '\ntruncated\n1';
    out.push(entry);
  }
  return out;
}
