/**
 * Checks a library caller's options the way the CLI checks its flags: a bad value is a UsageError
 * (exit code 2 from the CLI) naming the option, before anything starts.
 */
import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';

export function checkInt(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError('EVLOG_ERR_OPTION', `${name} must be a whole number >= ${min}, got ${value}`);
  }
}

/** A CLI flag parser applied to a library option, so both get the same normalisation and errors. */
export function parsedAs<T>(name: string, value: string, parse: (v: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new UsageError('EVLOG_ERR_OPTION', `${name}: ${err.message}`);
    throw err;
  }
}

export function eachParsedAs<T>(name: string, values: readonly string[], parse: (v: string) => T): readonly T[] {
  return Object.freeze(values.map((value) => parsedAs(name, value, parse)));
}

/** The options the caller set: an `undefined` leaves the default in place. */
export function given<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
