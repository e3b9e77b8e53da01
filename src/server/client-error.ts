/**
 * Requests Node's parser refuses never reach a handler. Node would reset the connection; we answer
 * with a status and a one-line reason instead, so a client (or a proxy in front) learns what was
 * wrong: 414 for a request line longer than the limit, 431 for headers, 400 for the rest.
 */
import type { Duplex } from 'node:stream';
import { rawAnswer, refusal, type Refusal } from './respond.js';
import { MAX_URL_BYTES } from './guard.js';

/** Bytes of request line and headers Node parses before it gives up (its default, made explicit). */
export const MAX_HEADER_BYTES = 16 * 1024;

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/** A packet that starts a request line and holds no line break within the URL limit: the URL is what overflowed. */
function urlOverflowed(packet: Buffer | undefined): boolean {
  if (!packet || !/^[A-Z]+ /.test(packet.subarray(0, 16).toString('latin1'))) return false;
  const nl = packet.indexOf(0x0a);
  return nl === -1 || nl > MAX_URL_BYTES;
}

function answerFor(err: ParserError): Refusal | undefined {
  switch (err.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'HPE_HEADER_OVERFLOW':
      return urlOverflowed(err.rawPacket)
        ? refusal(414, `uri too long: at most ${MAX_URL_BYTES} bytes`)
        : refusal(431, `request header fields too large: at most ${MAX_HEADER_BYTES} bytes in all`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADER_TIMEOUT':
      return refusal(408, 'request timeout');
    default:
      return refusal(400, `bad request: ${(err.code ?? 'malformed request').replace(/^HPE_/, '').toLowerCase().replaceAll('_', ' ')}`);
  }
}

export function onClientError(err: ParserError, socket: Duplex): void {
  // A response already under way on this connection (a pipelined request) must not get an answer
  // spliced into it: as Node does, only a connection with nothing sent yet gets one.
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  const answer = current?.headersSent ? undefined : answerFor(err);
  if (answer) rawAnswer(socket, answer);
  else socket.destroy();
}
