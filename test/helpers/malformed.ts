/**
 * Generated malformed requests: each one is wrong in at least one way the server must refuse
 * (request line, target, percent-encoding, headers, query, upgrade), from a seeded generator so a
 * failure names a case that can be replayed.
 */
export interface MalformedRequest {
  kind: string;
  bytes: Buffer;
}

/** mulberry32: small, fast, and the same sequence on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function makeMalformed(seed: number, port: number): () => MalformedRequest {
  const rnd = seeded(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const junk = (n: number, alphabet = '[]%:@/?#\\{}|^`"<> \t~!$&\'()*+,;=azAZ09-_\u00e9\u2028\u0000\u007f'): string =>
    Array.from({ length: n }, () => pick([...alphabet])).join('');
  const host = `127.0.0.1:${port}`;
  const wsHeaders = (extra: string[]): string[] => ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${KEY}`, ...extra];
  const build = (line: string, headers: string[]): string => `${line}\r\n${headers.join('\r\n')}${headers.length ? '\r\n' : ''}\r\n`;

  const badPercent = (): string => pick(['%', '%%', '%G1', '%1', '%zz', '%ff%fe', '%c0%af', '%00', '%E2%82', '%u2215', '%2e%2e%2f', '%5b', '%%5b']);
  const badPath = (): string =>
    pick([
      () => `//[${junk(int(6))}`,
      () => `/[${junk(int(8))}]`,
      () => `//${junk(1 + int(10))}`,
      () => `/${badPercent()}${junk(int(5))}${badPercent()}`,
      () => `/stream${pick(['%', '[', '/..%2f', '%2F', '\\'])}${junk(int(4))}`,
      () => `/assets/${pick(['..%2f..%2f', '%2e%2e%2f', '....//', '..\\..\\'])}etc/passwd`,
      () => `//etc/passwd${junk(int(3))}`,
      () => `/x/${'%2'.repeat(1 + int(40))}`,
    ])();
  const badQuery = (): string =>
    pick([
      () => `tail=${pick(['-1', 'abc', '1e99', '99999999999999999999', '', '%', '1%00'])}`,
      () => `from=${pick(['garbage', '%ff', 'x'.repeat(200), '-', '0.0.0', '%'])}`,
      () => `match=${pick(['(', '[', '(a)%5C1', '(%3F%3Da)', '(%3F<%3Db)a', 'a{2,1}', '*', '%5C', '(a+)+%5C2', 'x'.repeat(3000)])}`,
      () => `format=${pick(['xml', 'SSE', '%00', 'ndjson%00', ''])}${pick(['', '&format=bad'])}`,
      () => `batch=${pick(['2', 'yes', '1'])}&format=text`,
      () => `ignore_case=${pick(['2', 'yes', '%'])}&match=a`,
      () => `invert=${pick(['maybe', '-1'])}&match=a`,
    ])();

  const generators: Record<string, () => string> = {
    'request line': () => build(pick([
      () => `${junk(1 + int(6), 'GETPOSTX@{}\u00ff')} / HTTP/1.1`,
      () => `GET /${junk(int(5))} HTTP/${pick(['9.9', '1.x', '', '1', '0.9', '1.1.1'])}`,
      () => 'GET',
      () => 'GET /stream HTTP/1.1 extra',
      () => `${pick(['DELETE', 'PUT', 'POST', 'PATCH', 'TRACE'])} /stream HTTP/1.1`,
      () => 'GET /stream\u0000 HTTP/1.1',
      () => `GET /stream${junk(1, '\u0001\u0002\u001f\u007f')}x HTTP/1.1`,
    ])(), [`Host: ${host}`]),
    path: () => build(`GET ${badPath()}${pick(['', `?${badQuery()}`, '?a=%'])} HTTP/1.1`, [`Host: ${host}`]),
    query: () => build(`GET /${pick(['stream', 'stream', 'ws'])}?${badQuery()}${pick(['', '&tail=1', '&from=start&' + badQuery()])} HTTP/1.1`, [
      `Host: ${host}`,
      pick(['Accept: */*', 'Accept: text/event-stream', 'Accept: application/x-ndjson']),
    ]),
    headers: () => build('GET /stream?tail=1 HTTP/1.1', pick([
      () => [`Host: ${host}`, `X-Big: ${'b'.repeat(17_000 + int(100_000))}`],
      () => [`Host: ${host}`, ...Array.from({ length: 2100 + int(1000) }, (_, i) => `X-H${i}: v`)],
      () => [`Host: ${host}`, `Host: evil.example:${port}`],
      () => [`Host: evil.example:${port}`, `Host: ${host}`],
      () => [`Host: ${junk(1 + int(12))}`],
      () => [`Host: ${host}`, `Origin: ${pick(['http://evil.example', 'null', 'file://', junk(10), 'http://127.0.0.1:1'])}`],
      () => [`Host: ${host}`, `Origin: http://${host}`, 'Origin: http://evil.example'],
      () => [`Host: ${host}`, `${junk(3, 'ab ()<>@,;:\\"/[]?={}')}: x`],
      () => [`Host: ${host}`, `X-Bad: ${junk(5, '\u0000\u0001\u007f\r')}`],
      () => [`Host: ${host}`, 'Content-Length: 5', 'Transfer-Encoding: chunked'],
      () => [`Host: ${host}`, 'Content-Length: -1'],
      () => [`Host: ${host}`, 'Last-Event-ID: not-an-id'],
      () => [`Host: ${host}`, ' folded: continuation'],
      () => [],
    ])()),
    upgrade: () => build(`${pick(['GET', 'GET', 'POST'])} ${pick(['/ws', '/ws', '/stream', badPath(), `/ws?${badQuery()}`])} HTTP/1.1`, pick([
      () => [`Host: ${host}`, ...wsHeaders([]).map((h) => (h.startsWith('Sec-WebSocket-Key') ? `Sec-WebSocket-Key: ${junk(int(30))}` : h))],
      () => [`Host: ${host}`, ...wsHeaders([]).map((h) => (h.startsWith('Sec-WebSocket-Version') ? `Sec-WebSocket-Version: ${pick(['7', '99', 'x', ''])}` : h))],
      () => [`Host: ${host}`, 'Connection: Upgrade', `Upgrade: ${pick(['h2c', 'websocket, h2c', 'WebSocket/2', `x${junk(5)}`])}`, `Sec-WebSocket-Key: ${KEY}`, 'Sec-WebSocket-Version: 13'],
      () => [`Host: ${host}`, 'Connection: Upgrade', 'Upgrade: websocket'],
      () => [`Host: evil.example`, ...wsHeaders([])],
      () => [`Host: ${host}`, ...wsHeaders([`Origin: ${pick(['http://evil.example', 'null', junk(8)])}`])],
      () => [`Host: ${host}`, ...wsHeaders([`Sec-WebSocket-Extensions: ${junk(20)}`, `Sec-WebSocket-Protocol: ${junk(10, ' ,;=')}`]), `Sec-WebSocket-Key: ${KEY}`],
      () => [`Host: ${host}`, ...wsHeaders([`X-Big: ${'u'.repeat(20_000)}`])],
    ])()),
  };
  const kinds = Object.keys(generators);
  return () => {
    const kind = pick(kinds);
    return { kind, bytes: Buffer.from(generators[kind]!(), 'latin1') };
  };
}
