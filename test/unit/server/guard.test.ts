import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseHostName, parseOrigin } from '../../../src/options.js';
import { isLoopbackAddress, isLoopbackName, preflightHeaders, splitHost } from '../../../src/server/guard.js';
import { runInProcess } from '../../helpers/cli.js';

describe('Host headers', () => {
  it('splits name and port, lower-cased, and rejects what is not a host', () => {
    expect(splitHost('LocalHost:8001')).toEqual({ name: 'localhost', port: '8001' });
    expect(splitHost('[::1]:8001')).toEqual({ name: '[::1]', port: '8001' });
    expect(splitHost('logs.example.')).toEqual({ name: 'logs.example', port: '' });
    for (const bad of ['', 'a b', 'user@host', '[::1', 'host:port', 'host:123456', 'a/b', '::1']) expect(splitHost(bad), bad).toBeUndefined();
  });

  it('knows the loopback names and bind addresses', () => {
    for (const name of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]']) expect(isLoopbackName(name), name).toBe(true);
    for (const name of ['localhost.evil.example', '127.0.0.1.nip.io', '0.0.0.0', '[::]', '10.0.0.1', '128.0.0.1']) expect(isLoopbackName(name), name).toBe(false);
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('0.0.0.0')).toBe(false);
  });

  it('answers a preflight for the Authorization header, echoing the origin', () => {
    const headers = preflightHeaders({ 'access-control-allow-origin': 'https://dash.example', vary: 'Origin' });
    expect(headers['access-control-allow-origin']).toBe('https://dash.example');
    expect(headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(headers['access-control-allow-methods']).toBe('GET, HEAD');
  });
});

describe('--allow-origin and --allow-host values', () => {
  it('normalises origins and refuses anything with a path, credentials or another scheme', () => {
    expect(parseOrigin('https://Dash.Example:8443')).toBe('https://dash.example:8443');
    expect(parseOrigin('http://127.0.0.1:80')).toBe('http://127.0.0.1');
    for (const bad of ['dash.example', 'https://dash.example/', 'https://dash.example/app', 'https://u:p@dash.example', 'ftp://dash.example', 'null', '*', 'https://dash.example?x=1']) {
      expect(() => parseOrigin(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it('takes host names without scheme or port', () => {
    expect(parseHostName('Logs.Example.COM')).toBe('logs.example.com');
    expect(parseHostName('[::1]')).toBe('[::1]');
    for (const bad of ['http://logs.example', 'logs.example:8443', 'a b', '', '*.example']) expect(() => parseHostName(bad), bad).toThrow(InvalidArgumentError);
  });

  it('makes a bad value a usage error naming the flag', async () => {
    const origin = await runInProcess(['serve', '--allow-origin', 'https://dash.example/app']);
    expect(origin.code).toBe(2);
    expect(origin.stderr).toMatch(/^evlog: .*--allow-origin.*https:\/\/dash\.example\/app/);
    const host = await runInProcess(['serve', '--allow-host', 'http://logs.example']);
    expect(host.code).toBe(2);
    expect(host.stderr).toMatch(/^evlog: .*--allow-host/);
  });
});
