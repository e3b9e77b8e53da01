import { describe, expect, it } from 'vitest';
import { spawnCli, waitForMatch } from '../helpers/cli.js';
import { rawRequest } from '../helpers/raw.js';
import { tmpLog } from '../helpers/tmp.js';

describe('evlog serve --allow-origin / --allow-host (real binary)', () => {
  it('answers the names and origins it was given, and refuses others', async () => {
    const server = spawnCli(['serve', await tmpLog('a:1\n'), '-p', '0', '--allow-origin', 'https://Dash.example:8443', '--allow-origin', 'http://127.0.0.1:9', '--allow-host', 'logs.example']);
    const port = Number((await waitForMatch(server.stderr, /on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const get = (headers: string): Promise<{ status: number | undefined; text: string }> =>
      rawRequest(port, `GET /metrics HTTP/1.1\r\n${headers}\r\n\r\n`);

    const allowed = await get(`Host: 127.0.0.1:${port}\r\nOrigin: https://dash.example:8443`);
    expect(allowed.status).toBe(200);
    expect(allowed.text).toMatch(/\r\naccess-control-allow-origin: https:\/\/dash\.example:8443\r\n/i);
    expect((await get(`Host: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:9`)).status).toBe(200);
    expect((await get(`Host: 127.0.0.1:${port}\r\nOrigin: https://dash.example`)).status).toBe(403);
    expect((await get(`Host: logs.example:${port}`)).status).toBe(200);
    expect((await get(`Host: other.example:${port}`)).status).toBe(403);
  });
});
