/**
 * Pure parsers for flag values. They throw commander's InvalidArgumentError so commander names the
 * flag and the value at fault in one line; the CLI turns that into exit code 2.
 */
import { InvalidArgumentError } from 'commander';
import { describeRegexError } from './errors.js';
import { isValidName } from './wire/record.js';

const wholeNumber = /^\d+$/;

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!wholeNumber.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a whole number >= 0.');
  }
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = parseNonNegativeInt(value);
  if (n === 0) throw new InvalidArgumentError('expected a whole number >= 1.');
  return n;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!wholeNumber.test(value.trim()) || n > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  }
  return n;
}

export function parseRate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError('expected a number of events per second >= 0.');
  }
  return n;
}

export function parseEventList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  const bad = names.find((name) => !isValidName(name));
  if (bad !== undefined) {
    throw new InvalidArgumentError(
      bad === '' ? 'event names must not be empty.' : `event name '${bad}' must not contain ':' or whitespace.`,
    );
  }
  return names;
}

export function parseRegex(value: string, flags = ''): RegExp {
  try {
    return new RegExp(value, flags);
  } catch (err) {
    throw new InvalidArgumentError(`not a regular expression: ${describeRegexError(err, value, flags)}.`);
  }
}

/** `listen -f`: a channel's name or a glob over names; the server decides what it selects. */
export function parseChannel(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected a file name or glob, got an empty one.');
  return value;
}

/** A secret, from a flag or the environment: an empty one would protect nothing. */
export function parseToken(value: string): string {
  if (value === '') throw new InvalidArgumentError('the token must not be empty.');
  return value;
}

/** `--allow-origin`: a browser origin as `URL.origin` writes it (scheme, host, port; no path). */
export function parseOrigin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const bare = url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '' && !value.endsWith('/');
  if (!url || !bare) throw new InvalidArgumentError(`expected an origin like https://dash.example:8443 (scheme, host, optional port), got '${value}'.`);
  return url.origin;
}

/** `--allow-host`: a name (or bracketed IPv6 address) a Host header may carry, with any port. */
export function parseHostName(value: string): string {
  const name = value.trim().toLowerCase().replace(/\.$/, '');
  if (!/^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])$/.test(name)) {
    throw new InvalidArgumentError(`expected a host name like logs.example.com (no scheme or port), got '${value}'.`);
  }
  return name;
}
