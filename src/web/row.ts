/**
 * One log line as a DOM row: its file (shown when the server has several) and, when the line
 * parses, session and event as columns; the matched parts of the line in `<mark>`. Everything goes in as text nodes: a log line is untrusted input and is
 * never parsed as HTML.
 */
import { hashHue } from './colour.js';
import type { LineFilter } from './filter.js';
import type { LiveRecord } from './record.js';

function cell(className: string, text: string, ranges: Array<[number, number]>, offset: number): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = className;
  const end = offset + text.length;
  let at = offset;
  for (const [from, to] of ranges) {
    const start = Math.max(from, at);
    const stop = Math.min(to, end);
    if (stop <= start) continue;
    if (start > at) span.append(text.slice(at - offset, start - offset));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(start - offset, stop - offset);
    span.append(mark);
    at = stop;
  }
  if (at < end) span.append(text.slice(at - offset));
  return span;
}

function hiddenColon(): HTMLSpanElement {
  const sep = document.createElement('span');
  sep.className = 'sep';
  sep.textContent = ':';
  return sep;
}

/** A file's name, cut at its start when too long: the end of a path is what tells files apart. */
function fileCell(file: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'file';
  // Isolated, so the right-to-left trick that moves the ellipsis leaves the name's order alone.
  const name = document.createElement('bdi');
  name.textContent = file;
  span.append(name);
  return span;
}

/** `withFile`: the server has several files; the row starts with the file's name, as `grep -H` does. */
export function renderRow(record: LiveRecord, filter: LineFilter, withFile = false): HTMLDivElement {
  const row = document.createElement('div');
  const file = withFile ? record.file : undefined;
  if (file !== undefined) row.style.setProperty('--file-hue', String(hashHue(file)));
  if (record.gap) {
    row.className = 'row gap';
    row.append(cell('text', record.line, [], 0));
    return row;
  }
  row.className = record.truncated ? 'row truncated' : 'row';
  if (file !== undefined) row.append(fileCell(file), hiddenColon());
  const { line, session, event } = record;
  const ranges = filter.active ? filter.ranges(line) : [];
  if (session === undefined || event === undefined) {
    row.append(cell('text', line, ranges, 0));
    return row;
  }
  row.style.setProperty('--hue', String(hashHue(event)));
  if (line === `${session}:${event}`) {
    // The columns are the line: a hidden colon keeps copy and paste (and textContent) exact.
    row.append(cell('session', session, ranges, 0), hiddenColon(), cell('event', event, ranges, session.length + 1));
  } else {
    // A JSON line: its fields as columns, the line itself beside them (and what the filter saw).
    row.append(cell('session', session, [], 0), cell('event', event, [], 0), cell('text', line, ranges, 0));
  }
  return row;
}
