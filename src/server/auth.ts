/** Bearer token check: header for programs, `?token=` for browsers (EventSource/WebSocket cannot set headers). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Comparing digests keeps the comparison constant-time even when the lengths differ.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** The scheme is case-insensitive (RFC 7235): `bearer`, `Bearer` and `BEARER` all carry the token. */
const BEARER = /^bearer[ \t]/i;

export function makeTokenCheck(token: string | undefined): (req: IncomingMessage, url: URL) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (req, url) => {
    const header = req.headers.authorization;
    const given = header !== undefined && BEARER.test(header) ? header.slice('bearer '.length).trim() : url.searchParams.get('token');
    return given !== null && given !== undefined && timingSafeEqual(digest(given), expected);
  };
}
