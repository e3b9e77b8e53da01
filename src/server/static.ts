/**
 * The browser live view: `GET /` and `GET /assets/<file>`, served from `dist/web` (the project
 * build compiles `src/web` there). The files are read once, on the first request, and kept in
 * memory: they are a few kilobytes, and a server that never gets a browser never reads them.
 * Both `src/server` and `dist/server` sit two levels below the package root, so one relative path
 * finds the build from the sources (tests) and from the compiled package alike.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

const WEB_DIR = new URL('../../dist/web/', import.meta.url);

const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
};

// Log lines are untrusted text: the page never needs inline script, eval or another origin.
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const name of await readdir(WEB_DIR)) {
    const ext = /^[\w.-]+\.(\w+)$/.exec(name)?.[1];
    const type = ext === undefined ? undefined : types[ext];
    if (type === undefined) continue;
    const body = await readFile(new URL(name, WEB_DIR));
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    assets.set(name, { body, type, etag });
  }
  return assets;
}

export class LiveView {
  #assets: Promise<Map<string, Asset>> | undefined;

  /** Whether the path is ours: `/` or `/assets/…`. */
  static owns(pathname: string): boolean {
    return pathname === '/' || pathname.startsWith('/assets/');
  }

  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    let assets;
    try {
      assets = await (this.#assets ??= loadAssets());
    } catch {
      this.#assets = undefined;
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('the live view is not built: run `npm run build`\n');
    }
    const name = pathname === '/' ? 'index.html' : pathname.slice('/assets/'.length);
    const asset = assets.get(name);
    if (asset === undefined || (pathname !== '/' && name === 'index.html')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end(`not found: ${pathname}\n`);
    }
    const headers: Record<string, string> = {
      'content-type': asset.type,
      // Revalidate every time: a new evlog version must never run against an old cached script.
      'cache-control': 'no-cache',
      etag: asset.etag,
      'x-content-type-options': 'nosniff',
      // The page URL may carry ?token=; it must not leak through a Referer header.
      'referrer-policy': 'no-referrer',
    };
    if (name === 'index.html') headers['content-security-policy'] = PAGE_POLICY;
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'content-length': String(asset.body.length) });
    res.end(asset.body);
  }
}
