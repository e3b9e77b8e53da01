/**
 * What a page in the user's browser can do with a running server: another origin reads nothing
 * (WebSocket, EventSource, fetch, nor through DNS rebinding), an origin given to --allow-origin
 * reads the stream, and the live view works over HTTPS.
 */
import { readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { haveChromium, useBrowser } from '../helpers/browser.js';
import { startServer } from '../helpers/server.js';
import { makePki } from '../helpers/tls.js';
import { tmpLog } from '../helpers/tmp.js';

/** A second web server: the other origin, serving one empty page. */
const others: Server[] = [];
afterEach(async () => {
  await Promise.all(others.splice(0).map((s) => new Promise((r) => s.close(r))));
});
async function otherOrigin(): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>other</title>'));
  others.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Attempt {
  ws: string;
  sse: string;
  fetch: string;
}

/** Runs in the page: what each transport got from `base` within a short while. */
function tryToRead(page: Page, base: string, token?: string): Promise<Attempt> {
  return page.evaluate(async ({ base, token }) => {
    const withTimeout = <T>(p: Promise<T>, fallback: T): Promise<T> => Promise.race([p, new Promise<T>((r) => setTimeout(() => r(fallback), 5000))]);
    const ws = withTimeout(new Promise<string>((resolve) => {
      const socket = new WebSocket(`${base.replace('http', 'ws')}/ws?from=start&format=text`);
      socket.onmessage = (e) => resolve(`read ${String(e.data)}`);
      socket.onerror = () => resolve('refused');
    }), 'timeout');
    const sse = withTimeout(new Promise<string>((resolve) => {
      const source = new EventSource(`${base}/stream?format=sse&from=start`);
      source.onmessage = (e) => {
        source.close();
        resolve(`read ${JSON.parse(e.data as string).line}`);
      };
      source.onerror = () => {
        source.close();
        resolve('refused');
      };
    }), 'timeout');
    const fetched = withTimeout((async () => {
      try {
        const res = await fetch(`${base}/stream?format=ndjson&from=start`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
        const chunk = await res.body!.getReader().read();
        return `read ${res.status} start=${res.headers.get('evlog-start') !== null} ${new TextDecoder().decode(chunk.value).trim()}`;
      } catch {
        return 'refused';
      }
    })(), 'timeout');
    return { ws: await ws, sse: await sse, fetch: await fetched };
  }, { base, token });
}

describe.skipIf(!haveChromium)('pages on other origins', () => {
  // rebind.test resolves to 127.0.0.1, as a DNS rebinding attack makes a hostile name do. Chromium's
  // own guard against public pages reaching loopback is off: other browsers have none, and the
  // server must hold without it.
  const browser = useBrowser([
    '--host-resolver-rules=MAP rebind.test 127.0.0.1',
    '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,LocalNetworkAccessChecks',
  ]);

  it('cannot read /ws or /stream from another origin', async () => {
    const server = await startServer({ file: await tmpLog('secret:line\n') });
    const { page } = await browser.open(await otherOrigin());
    expect(await tryToRead(page, server.url)).toEqual({ ws: 'refused', sse: 'refused', fetch: 'refused' });
  });

  it('cannot read /stream through a Host that is not loopback (DNS rebinding)', async () => {
    const server = await startServer({ file: await tmpLog('secret:line\n') });
    const origin = `http://rebind.test:${server.port}`;
    const { page } = await browser.open('about:blank');
    // The hostile page as its own server would have served it, before the name moved to 127.0.0.1.
    await page.route(`${origin}/attack.html`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>attack</title>' }));
    await page.goto(`${origin}/attack.html`);
    const read = await page.evaluate(async () => {
      const res = await fetch('/stream?format=text&from=start');
      return `${res.status} ${res.status === 200 ? await res.body!.getReader().read().then((c) => new TextDecoder().decode(c.value)) : ''}`.trim();
    });
    expect(read).toBe('403');
    expect((await tryToRead(page, origin)).ws).toBe('refused');
  });

  it('reads the stream from an origin given to --allow-origin: EventSource, and fetch with a Bearer token', async () => {
    const other = await otherOrigin();
    const server = await startServer({ file: await tmpLog('s1:impression\n'), allowOrigins: [other], token: 's3cret' });
    const { page } = await browser.open(other);
    const withToken = await tryToRead(page, `${server.url}`, 's3cret');
    expect(withToken.fetch).toMatch(/^read 200 start=true \{"id":"[^"]+","file":"[^"]+","line":"s1:impression"/);
    // EventSource and WebSocket cannot send headers: they carry the token in the URL.
    const sse = await page.evaluate((url) => new Promise<string>((resolve) => {
      const source = new EventSource(url);
      source.onmessage = (e) => {
        source.close();
        resolve(JSON.parse(e.data as string).line as string);
      };
      source.onerror = () => resolve('error');
    }), `${server.url}/stream?format=sse&from=start&token=s3cret`);
    expect(sse).toBe('s1:impression');
    const denied = await tryToRead(page, server.url);
    expect(denied.fetch).toMatch(/^read 401/);
  });
});

describe.skipIf(!haveChromium)('the live view over HTTPS', () => {
  const browser = useBrowser();

  it('shows lines live from https:// on its own port', async () => {
    const pki = await makePki();
    const file = await tmpLog('old:1\n');
    const server = await startServer({ file, tls: { cert: readFileSync(pki.cert), key: readFileSync(pki.key) } });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { page } = await browser.open(`${server.url}/`, { ignoreHTTPSErrors: true });
    await expect.poll(() => page.locator('#state').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    await appendFile(file, 'new:2\n');
    await expect.poll(() => page.$$eval('#lines .row', (rows) => rows.map((r) => r.textContent)), { timeout: 15_000 }).toEqual(['old:1', 'new:2']);
  });
});
