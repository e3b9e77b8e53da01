/**
 * The query of `/stream` and `/ws`, validated before any byte of the response is written, so a
 * bad request gets a 400 with a one-line reason instead of a stream that goes wrong later.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { printable } from '../errors.js';
import type { Start } from '../sources/source.js';
import type { Encoding } from './encode.js';
import { compileLinear, UnsafePattern } from './safe-regex.js';

/** A query the server refuses (400): its reason is one line, whatever bytes the client's values held. */
export class BadRequest extends Error {
  constructor(reason: string) {
    super(printable(reason));
  }
}

export interface StreamQuery<E extends Encoding = Encoding> {
  encoding: E;
  startAt: Start;
  match: RegExp | undefined;
  /** Send the lines the match rejects instead (`invert=1`, like `grep -v`). */
  invert: boolean;
  /** `file=` values: channel names or globs over them; none selects every channel. */
  files: readonly string[];
}

/** More `file=` values than any picker sends: a bound on the work of matching them. */
const MAX_FILE_PARAMS = 256;

function parseFiles(values: string[]): readonly string[] {
  if (values.length > MAX_FILE_PARAMS) throw new BadRequest(`file: at most ${MAX_FILE_PARAMS} values`);
  if (values.some((v) => v === '')) throw new BadRequest('file: expected a file name or glob, got nothing');
  return values;
}

function parseTail(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new BadRequest(`tail: expected a whole number >= 0, got '${value}'`);
  }
  return Number(value);
}

/** Whether an id is one the source could have written: only it knows what ids look like. */
export type IdCheck = (id: string) => boolean;

function parseFrom(value: string, source: string, isId: IdCheck): Start {
  if (value === 'start') return { kind: 'start' };
  if (!isId(value)) throw new BadRequest(`${source}: '${value}' is not an id from this server (or 'start')`);
  return { kind: 'after', id: value };
}

function parseFlag(name: string, value: string | null): boolean {
  if (value === null || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new BadRequest(`${name}: expected 1 or 0, got '${value}'`);
}

function parseMatch(value: string, ignoreCase: boolean): RegExp {
  try {
    return compileLinear(value, ignoreCase);
  } catch (err) {
    if (err instanceof UnsafePattern) throw new BadRequest(`match: ${err.message}`);
    throw err;
  }
}

/** How a transport picks its encoding from `format=` and the Accept header (throws BadRequest). */
export type Negotiate<E extends Encoding> = (format: string | null, accept: string | undefined) => E;

export function parseStreamQuery<E extends Encoding>(url: URL, headers: IncomingHttpHeaders, negotiate: Negotiate<E>, isId: IdCheck): StreamQuery<E | 'sse-batch'> {
  const params = url.searchParams;
  let encoding: E | 'sse-batch' = negotiate(params.get('format'), headers.accept);
  if (parseFlag('batch', params.get('batch'))) {
    if (encoding !== 'sse') throw new BadRequest('batch: only with format=sse (the other formats batch already)');
    encoding = 'sse-batch';
  }
  const tail = params.get('tail');
  const from = params.get('from');
  const match = params.get('match');

  let startAt: Start = tail === null ? { kind: 'new' } : { kind: 'tail', lines: parseTail(tail) };
  if (from !== null) startAt = parseFrom(from, 'from', isId);
  // A reconnecting EventSource repeats its original URL; the id it last saw must win over it.
  const lastEventId = headers['last-event-id'];
  if (typeof lastEventId === 'string' && lastEventId !== '') startAt = parseFrom(lastEventId, 'Last-Event-ID', isId);

  // The browser view pushes its filter here; a page cannot pass regex flags inside the pattern.
  const ignoreCase = parseFlag('ignore_case', params.get('ignore_case'));
  const invert = parseFlag('invert', params.get('invert'));
  const files = parseFiles(params.getAll('file'));
  if (match === null || match === '') return { encoding, startAt, match: undefined, invert: false, files };
  return { encoding, startAt, match: parseMatch(match, ignoreCase), invert, files };
}
