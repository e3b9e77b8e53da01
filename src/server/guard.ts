/**
 * The one gate every request passes before routing, plain HTTP and WebSocket upgrade alike: the
 * request target is bounded and parsed without throwing, and a browser is only let in from where
 * the user meant. The Host check stops DNS rebinding (a hostile name resolving to 127.0.0.1 makes
 * the browser send that name as Host); the Origin check stops other pages from reading streams
 * with the user's browser (cross-site WebSocket hijacking, cross-origin reads).
 */
import type { IncomingMessage } from 'node:http';
import { START_HEADER } from '../wire/types.js';
import { refusal, type Refusal } from './respond.js';

/** Longest request target served; longer ones get 414 (browsers send up to 2 MB; a filter needs far less). */
export const MAX_URL_BYTES = 8 * 1024;

/** Header fields per request; browsers send about twenty, proxies add a few. */
export const MAX_HEADER_COUNT = 100;

export interface GuardOptions {
  /** Refuse a Host that is neither a loopback name nor in `allowHosts` (set when bound to loopback or given names). */
  checkHost: boolean;
  /** Lower-case names, without port. */
  allowHosts: readonly string[];
  /** Serialized origins (`https://dash.example:8443`), as `URL.origin` writes them. */
  allowOrigins: readonly string[];
}

export interface Admitted {
  url: URL;
  /** Headers for an allowed foreign origin (CORS); empty otherwise. */
  cors: Record<string, string>;
}

const NO_CORS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** `name` and `:port` of a Host header, or undefined when it is not one. */
export function splitHost(value: string): { name: string; port: string } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^\s:[\]/@]+)(?::(\d{1,5}))?$/i.exec(value);
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase().replace(/\.$/, ''), port: m[2] ?? '' };
}

export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}

function single(req: IncomingMessage, name: string): string | undefined | null {
  const values = req.headersDistinct[name];
  if (values === undefined) return undefined;
  return values.length === 1 ? values[0]! : null;
}

/** The target as a URL, whatever the bytes: `//[`, `/%zz` and absolute forms must not throw later. */
function parseTarget(target: string): URL | Refusal {
  if (Buffer.byteLength(target) > MAX_URL_BYTES) return refusal(414, `uri too long: at most ${MAX_URL_BYTES} bytes`);
  if (!target.startsWith('/')) return refusal(400, 'bad request: the request target must be a path');
  let url: URL;
  try {
    // Prefixing an origin keeps `//host` a path instead of a scheme-relative URL.
    url = new URL(`http://evlog${target}`);
  } catch {
    return refusal(400, 'bad request: malformed request target');
  }
  // URLSearchParams would quietly keep `%zz` as text and turn bytes that are not UTF-8 into U+FFFD:
  // a filter or an id the client never meant. The path needs no such care: it is only routed.
  if (!wellEncoded(url.search)) return refusal(400, 'bad request: malformed percent-encoding in the query');
  return url;
}

function wellEncoded(search: string): boolean {
  if (!search.includes('%')) return true;
  try {
    decodeURIComponent(search);
    return true;
  } catch {
    return false;
  }
}

export function makeGuard(opts: GuardOptions): (req: IncomingMessage) => Admitted | Refusal {
  const allowedHosts = new Set(opts.allowHosts);
  const allowedOrigins = new Set(opts.allowOrigins);
  return (req) => {
    const url = parseTarget(req.url ?? '');
    if (!(url instanceof URL)) return url;
    if (req.httpVersionMajor !== 1) return refusal(400, 'bad request: HTTP/1.0 or HTTP/1.1 only');
    if (req.rawHeaders.length > 2 * MAX_HEADER_COUNT) return refusal(431, `request header fields too large: at most ${MAX_HEADER_COUNT} fields`);

    const host = single(req, 'host');
    if (host === null) return refusal(400, 'bad request: more than one Host header');
    // HTTP/1.1 requires one (Node's own refusal of this had no body); HTTP/1.0 may go without.
    if (host === undefined && req.httpVersionMinor === 1) return refusal(400, 'bad request: no Host header');
    const hostParts = host === undefined ? undefined : splitHost(host);
    if (host !== undefined && hostParts === undefined) return refusal(400, 'bad request: malformed Host header');
    if (opts.checkHost && (hostParts === undefined || !(isLoopbackName(hostParts.name) || allowedHosts.has(hostParts.name)))) {
      return refusal(403, `forbidden: Host '${hostParts?.name ?? ''}' is not served here (evlog serve --allow-host)`);
    }

    const origin = single(req, 'origin');
    if (origin === undefined) return { url, cors: NO_CORS };
    if (origin === null) return refusal(400, 'bad request: more than one Origin header');
    // Same origin whatever the scheme: no other server can share our host and port, and a proxy
    // that adds TLS in front keeps the page working.
    if (host !== undefined && originHost(origin) === host.toLowerCase()) return { url, cors: NO_CORS };
    if (allowedOrigins.has(origin.toLowerCase())) {
      return { url, cors: { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': START_HEADER } };
    }
    return refusal(403, `forbidden: origin ${JSON.stringify(origin.slice(0, 200))} may not read this server (evlog serve --allow-origin)`);
  };
}

function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.host;
  } catch {
    return undefined;
  }
}

/** A preflight's answer for an allowed origin: the browser may then send the token as a header. */
export function preflightHeaders(cors: Record<string, string>): Record<string, string> {
  return {
    ...cors,
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-allow-headers': 'Authorization, Last-Event-ID, Accept',
    'access-control-max-age': '600',
  };
}

/** A bind address only this machine can reach. */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
