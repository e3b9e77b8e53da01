import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { get } from 'node:https';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, waitForMatch } from '../helpers/cli.js';
import { makePki } from '../helpers/tls.js';
import { tmpLog } from '../helpers/tmp.js';

const haveCurl = spawnSync('curl', ['--version']).status === 0;

async function serveTls(file: string, pki: { cert: string; key: string }): Promise<string> {
  const server = spawnCli(['serve', file, '-p', '0', '--tls-cert', pki.cert, '--tls-key', pki.key]);
  return (await waitForMatch(server.stderr, /evlog: serving .* on (https:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
}

/** The body of a GET over HTTPS that ends after `n` lines. */
function fetchLines(url: string, ca: Buffer | undefined, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        text += d;
        const lines = text.split('\n').filter(Boolean);
        if (lines.length >= n) {
          req.destroy();
          resolve(lines);
        }
      });
    });
    req.on('error', reject);
  });
}

describe('evlog serve --tls-cert/--tls-key', () => {
  it('serves HTTPS on the port it names with https://, trusted with the CA and only with it', async () => {
    const pki = await makePki();
    const url = await serveTls(await tmpLog('a:1\nb:2\n'), pki);
    if (haveCurl) {
      const curl = spawn('curl', ['-sSN', '--cacert', pki.ca, `${url}/stream?from=start&format=ndjson`]);
      let out = '';
      curl.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      try {
        await waitForMatch(() => out, /"line":"b:2"/);
      } finally {
        curl.kill();
      }
      const health = execFileSync('curl', ['-sS', '--cacert', pki.ca, `${url}/healthz`], { encoding: 'utf8' });
      expect(JSON.parse(health)).toMatchObject({ status: 'ok' });
      const untrusted = spawnSync('curl', ['-sS', `${url}/healthz`], { encoding: 'utf8' });
      expect(untrusted.status).not.toBe(0);
      expect(untrusted.stderr).toMatch(/certificate/i);
    }
    expect(await fetchLines(`${url}/stream?from=start`, pki.caPem, 2)).toEqual(['a:1', 'b:2']);
    await expect(fetchLines(`${url}/stream?from=start`, undefined, 2)).rejects.toThrow(/certificate/i);
  });

  it('is read by listen https:// and wss:// with --ca, and refused without it', async () => {
    const pki = await makePki();
    const file = await tmpLog('s1:impression\n');
    const url = await serveTls(file, pki);
    for (const base of [url, url.replace('https', 'wss')]) {
      const listener = spawnCli(['listen', base, '--ca', pki.ca, '--from', 'start', '-n', '2']);
      await waitForMatch(listener.stdout, /s1:impression\n/);
      await appendFile(file, base.startsWith('wss') ? 's3:click\n' : 's2:click\n');
      expect((await listener.exited).code, listener.stderr()).toBe(0);
      expect(listener.stdout()).toMatch(/^s1:impression\ns[23]:click\n$/);
      const refused = await runCli(['listen', base, '--from', 'start', '-n', '1', '--no-reconnect']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^evlog: .*certificate/i);
    }
  });

  it('says what is wrong with the TLS flags, before serving', async () => {
    const pki = await makePki();
    const file = await tmpLog();
    const alone = await runCli(['serve', file, '-p', '0', '--tls-cert', pki.cert]);
    expect(alone).toMatchObject({ code: 2, stderr: 'evlog: --tls-cert and --tls-key go together\n' });
    const missing = await runCli(['serve', file, '-p', '0', '--tls-cert', `${pki.cert}.nope`, '--tls-key', pki.key]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^evlog: cannot read --tls-cert .*no such file or directory\n$/);
    const swapped = await runCli(['serve', file, '-p', '0', '--tls-cert', pki.key, '--tls-key', pki.cert]);
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toMatch(/^evlog: cannot use the TLS certificate and key: .+\n$/);
    const noCa = await runCli(['listen', 'https://127.0.0.1:1', '--ca', `${pki.ca}.nope`]);
    expect(noCa.code).toBe(2);
    expect(noCa.stderr).toMatch(/^evlog: .*--ca.*cannot read .*\n$/);
  });
});
