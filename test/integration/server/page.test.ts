import { describe, expect, it } from 'vitest';
import { getText } from '../../helpers/clients.js';
import { startServer } from '../../helpers/server.js';
import { tmpLog } from '../../helpers/tmp.js';

describe('GET / (the live view files)', () => {
  it('serves the page with a policy that forbids inline script and other origins', async () => {
    const server = await startServer({ file: await tmpLog() });
    const { status, body, headers } = await getText(`${server.url}/`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(body).toContain('<script type="module" src="assets/main.js">');
    // Self-contained: nothing is fetched from anywhere but this server.
    expect(body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves every script the page imports, and 404 for anything else', async () => {
    const server = await startServer({ file: await tmpLog() });
    const main = await getText(`${server.url}/assets/main.js`);
    expect(main.status).toBe(200);
    expect(main.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const imports = [...main.body.matchAll(/from '\.\/([\w-]+\.js)'/g)].map((m) => m[1]);
    expect(imports).toContain('connection.js');
    for (const name of imports) expect((await getText(`${server.url}/assets/${name}`)).status, name).toBe(200);
    expect((await getText(`${server.url}/assets/style.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');

    for (const path of ['/assets/nope.js', '/assets/index.html', '/assets/../package.json', '/assets/%2e%2e%2fpackage.json']) {
      expect((await getText(`${server.url}${path}`)).status, path).toBe(404);
    }
  });

  it('lets the browser revalidate with the ETag', async () => {
    const server = await startServer({ file: await tmpLog() });
    const first = await getText(`${server.url}/assets/main.js`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${server.url}/assets/main.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('serves the page without the token (it holds no data) while the stream still needs it', async () => {
    const server = await startServer({ file: await tmpLog(), token: 's3cret' });
    expect((await getText(`${server.url}/`)).status).toBe(200);
    expect((await getText(`${server.url}/assets/main.js`)).status).toBe(200);
    expect((await getText(`${server.url}/stream`)).status).toBe(401);
  });
});
