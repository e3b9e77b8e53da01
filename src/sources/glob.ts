/**
 * Globs as a shell reads them, on top of picomatch. picomatch 4 takes `[!a]` as the class of `!`
 * and `a`; bash, find and the page read it as "not a" (as `[^a]`), so it is rewritten before
 * compiling. Used for serve's arguments and for clients' `file=`, so both mean the same.
 */
import picomatch from 'picomatch';

export function isGlob(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob;
}

/** A `[!` that opens a class (not escaped) becomes `[^`. */
function shellClasses(pattern: string): string {
  return pattern.replace(/(^|[^\\])\[!/g, '$1[^');
}

export function globMatcher(pattern: string, options: { dot?: boolean } = {}): (name: string) => boolean {
  return picomatch(shellClasses(pattern), { dot: options.dot ?? false });
}
