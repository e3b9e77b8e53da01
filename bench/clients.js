// Benchmark clients: read a stream and check that line k carries sequence number k, without
// holding the lines (a million strings would measure the client, not the server).
import { request } from 'node:http';
import WebSocket from 'ws';

const SEQ_DIGITS = 10;

/** `<10-digit seq> <padding>\n`, `size` bytes in all. */
export function seqLine(seq, size) {
  return `${String(seq).padStart(SEQ_DIGITS, '0')} ${'x'.repeat(size - SEQ_DIGITS - 2)}\n`;
}

/**
 * Kinds of numbered lines: `plain` (`<seq> xxx…`), `payload` (a text event with a JSON payload,
 * `<seq>:impression {"uid":…,"path":…}`), `winston` (a winston JSON line, `{"level":"info",
 * "message":"<seq>:impression","session":…}`). `marker`: what precedes the sequence number in the raw
 * line and in a record's JSON.
 */
const WINSTON_HEAD = '{"level":"info","message":"';
export const LINE_KINDS = {
  plain: { text: '', record: '"line":"', line: (seq, pad) => `${seq} ${pad}` },
  payload: { text: '', record: '"line":"', line: (seq, pad) => `${seq}:impression {"uid":"u${seq}","path":"/${pad.slice(43)}"}` },
  winston: {
    text: WINSTON_HEAD,
    record: `"line":"${WINSTON_HEAD.replaceAll('"', '\\"')}`,
    line: (seq) => `${WINSTON_HEAD}${seq}:impression","session":"s-${seq}","event":"impression","timestamp":"2026-12-01T13:10:21.123Z"}`,
  },
};

/** `count` numbered lines from `from`, of `size` bytes (plain, payload) or about 130 (winston). */
export function seqBlock(from, count, size, kind = 'plain') {
  const pad = 'x'.repeat(Math.max(0, size - SEQ_DIGITS - 2));
  const make = LINE_KINDS[kind].line;
  const parts = new Array(count);
  for (let i = 0; i < count; i++) parts[i] = `${make(String(from + i).padStart(SEQ_DIGITS, '0'), pad)}\n`;
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

/**
 * Connects, resolves `ready` once the stream is open, and `done` once `total` lines arrived (or a
 * check failed). `format`: text | ndjson | sse | ws | ws-text. `query`: more of the query (`&match=…`).
 * `kind`: the kind of numbered lines (LINE_KINDS).
 */
export function seqClient(baseUrl, format, total, query = '', kind = 'plain') {
  const { text: textMarker, record: recordMarker } = LINE_KINDS[kind];
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const checker = new SeqChecker(total, () => resolveDone());
  let close;
  const ready = new Promise((resolve, reject) => {
    if (format === 'ws' || format === 'ws-text') {
      const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws${format === 'ws-text' ? '?format=text' : ''}`, { perMessageDeflate: false });
      const marker = format === 'ws' ? recordMarker : textMarker;
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
        res.on('data', (d) => checker.chunk(d, format === 'text' ? textMarker : recordMarker));
        resolve();
      });
      req.on('error', reject);
      req.end();
      close = () => req.destroy();
    }
  });
  return { ready, done, checker, close: () => close?.() };
}
