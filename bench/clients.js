// Benchmark clients: read a stream and check that line k carries sequence number k, without
// holding the lines (a million strings would measure the client, not the server).
import { request } from 'node:http';
import WebSocket from 'ws';

const SEQ_DIGITS = 10;

/** `<10-digit seq> <padding>\n`, `size` bytes in all. */
export function seqLine(seq, size) {
  return `${String(seq).padStart(SEQ_DIGITS, '0')} ${'x'.repeat(size - SEQ_DIGITS - 2)}\n`;
}

export function seqBlock(from, count, size) {
  const pad = 'x'.repeat(size - SEQ_DIGITS - 2);
  const parts = new Array(count);
  for (let i = 0; i < count; i++) parts[i] = `${String(from + i).padStart(SEQ_DIGITS, '0')} ${pad}\n`;
  return parts.join('');
}

/** Checks sequence numbers found after each `marker` (start of a line, or `"line":"`). */
class SeqChecker {
  constructor(total, onDone) {
    this.expected = 0;
    this.total = total;
    this.error = undefined;
    this.carry = '';
    this.onDone = onDone;
    this.lastAt = 0;
  }

  /** `text` holds whole records; `marker` precedes each sequence number ('' : each line starts with one). */
  scan(text, marker) {
    const next = (from) => (marker === '' ? (from === 0 ? 0 : nextLine(text, from)) : text.indexOf(marker, from));
    for (let at = next(0); at !== -1 && at < text.length && !this.error; at = next(at + marker.length + SEQ_DIGITS)) {
      const start = at + marker.length;
      let n = 0;
      for (let i = start; i < start + SEQ_DIGITS; i++) n = n * 10 + (text.charCodeAt(i) - 48);
      if (n !== this.expected) this.error = `expected ${this.expected}, got ${text.slice(start, start + SEQ_DIGITS)}`;
      this.expected++;
    }
    this.lastAt = performance.now();
    if (this.expected >= this.total || this.error) this.onDone();
  }

  /** A chunk of a `\n`-separated stream: records may be split across chunks. */
  chunk(data, marker) {
    const text = this.carry + data;
    const end = text.lastIndexOf('\n') + 1;
    this.carry = text.slice(end);
    this.scan(text.slice(0, end), marker);
  }
}

/** Start of the line after the one containing `from`, or -1. */
function nextLine(text, from) {
  const nl = text.indexOf('\n', from);
  return nl === -1 || nl + 1 >= text.length ? -1 : nl + 1;
}

const markers = { text: '', ndjson: '"line":"', sse: '"line":"' };

/**
 * Connects, resolves `ready` once the stream is open, and `done` once `total` lines arrived (or a
 * check failed). `format`: text | ndjson | sse | ws | ws-text. `query`: more of the query (`&match=…`).
 */
export function seqClient(baseUrl, format, total, query = '') {
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const checker = new SeqChecker(total, () => resolveDone());
  let close;
  const ready = new Promise((resolve, reject) => {
    if (format === 'ws' || format === 'ws-text') {
      const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws${format === 'ws-text' ? '?format=text' : ''}`, { perMessageDeflate: false });
      const marker = format === 'ws' ? '"line":"' : '';
      ws.on('message', (data) => {
        const text = data.toString();
        checker.scan(text, marker);
      });
      ws.on('open', resolve);
      ws.on('error', reject);
      close = () => ws.terminate();
    } else {
      const path = baseUrl.endsWith('/stream') ? baseUrl : `${baseUrl}/stream?format=${format}${query}`;
      const req = request(path, { agent: false }, (res) => {
        res.setEncoding('latin1');
        res.on('data', (d) => checker.chunk(d, markers[format]));
        resolve();
      });
      req.on('error', reject);
      req.end();
      close = () => req.destroy();
    }
  });
  return { ready, done, checker, close: () => close?.() };
}
