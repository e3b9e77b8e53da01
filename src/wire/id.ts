/**
 * What a client may check of a record id. Ids are opaque: only the source that wrote one knows
 * what it holds (a file's identity and offsets, a Redis stream's `<ms>-<seq>`), and the server
 * judges whether it can resume after it. A client only refuses what no source writes: an id is a
 * position, so it holds a digit, in URL-safe characters that need no escaping in a query or a
 * header, and it is short.
 */
const MAX_ID_LENGTH = 128;
const idChars = /^[0-9A-Za-z._~:-]+$/;
const digit = /[0-9]/;

export function isSaneId(text: string): boolean {
  return text.length <= MAX_ID_LENGTH && idChars.test(text) && digit.test(text);
}

/** What `from` takes: a record id, or `start` for the beginning of the source. */
export function isResumePoint(text: string): boolean {
  return text === 'start' || isSaneId(text);
}
