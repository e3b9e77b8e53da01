/** Bearer token check: header for programs, `?token=` for browsers (EventSource/WebSocket cannot set headers). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Comparing digests keeps the comparison constant-time even when the lengths differ.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export function makeTokenCheck(token: string | undefined): (req: IncomingMessage, url: URL) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (req, url) => {
    const header = req.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : url.searchParams.get('token');
    return given !== null && given !== undefined && timingSafeEqual(digest(given), expected);
  };
}
