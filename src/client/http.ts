/** `http(s)://…/stream?format=ndjson`, split into batches of lines. */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HttpStatusError } from '../errors.js';
import { batchesOf, startIdOf, type Connection, type OpenOptions } from './connection.js';
import { LineBatches } from './lines.js';

async function readSome(res: IncomingMessage, limit = 512): Promise<string> {
  let body = '';
  for await (const chunk of res) {
    body += String(chunk);
    if (body.length >= limit) break;
  }
  return body.trim().split('\n')[0]!.slice(0, limit);
}

export function openHttp({ url, token, ca, maxLineBytes }: OpenOptions): Promise<Connection> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/x-ndjson' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    // A stream owns its connection: a pooled keep-alive socket may be stale after a server restart.
    const req = request(url, { headers, agent: false, ...(ca !== undefined && { ca }) }, (res) => {
      if (res.statusCode !== 200) {
        readSome(res)
          .catch(() => '')
          .then((body) => reject(new HttpStatusError(res.statusCode ?? 0, body || `HTTP ${res.statusCode}`)));
        return;
      }
      res.on('error', () => undefined);
      const lines = res.pipe(new LineBatches(maxLineBytes));
      res.on('aborted', () => lines.destroy(new Error('connection closed')));
      res.on('close', () => {
        if (!res.complete) lines.destroy(new Error('connection closed'));
      });
      resolve({ ...batchesOf(lines, () => req.destroy()), startId: startIdOf(res.headers) });
    });
    req.on('error', reject);
    req.end();
  });
}
