/**
 * The matched text in colour, as `grep --color` shows it: every match of every pattern, in grep's
 * default colour (bold red, GREP_COLORS' `ms=01;31`), each followed by `\x1b[K` as grep does so a
 * terminal does not paint the rest of the row.
 */
import type { Writable } from 'node:stream';

const START = '\x1b[01;31m\x1b[K';
const END = '\x1b[m\x1b[K';
/** grep's colours for `-H`: the file name magenta (`fn=35`), the `:` after it cyan (`se=36`). */
const FILE_START = '\x1b[35m\x1b[K';
const SEPARATOR = '\x1b[36m\x1b[K:\x1b[m\x1b[K';

export type ColorWhen = 'auto' | 'always' | 'never';

/**
 * `auto`: a terminal, unless NO_COLOR is set to something (no-color.org) or the terminal says it
 * has no colours (`TERM=dumb`, as grep reads it); a flag beats both.
 */
export function useColor(when: ColorWhen, stream: Writable, env: NodeJS.ProcessEnv = process.env): boolean {
  if (when !== 'auto') return when === 'always';
  return (stream as { isTTY?: boolean }).isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

export function makeHighlighter(patterns: readonly string[], ignoreCase = false): (line: string) => string {
  const regexes = patterns.map((p) => new RegExp(p, ignoreCase ? 'gi' : 'g'));
  return (line) => {
    const ranges: Array<[number, number]> = [];
    for (const re of regexes) {
      re.lastIndex = 0;
      for (let m = re.exec(line); m !== null; m = re.exec(line)) {
        // An empty match marks nothing; step past it or exec finds it forever.
        if (m[0] === '') re.lastIndex++;
        else ranges.push([m.index, m.index + m[0].length]);
      }
    }
    if (ranges.length === 0) return line;
    ranges.sort((a, b) => a[0] - b[0]);
    let out = '';
    let at = 0;
    for (const [start, end] of ranges) {
      if (end <= at) continue;
      const from = Math.max(start, at);
      out += `${line.slice(at, from)}${START}${line.slice(from, end)}${END}`;
      at = end;
    }
    return out + line.slice(at);
  };
}

/** `<file>:` before a line, as `grep -H` prints it (coloured as grep colours it). */
export function filenamePrefix(file: string, color: boolean): string {
  return color ? `${FILE_START}${file}${END}${SEPARATOR}` : `${file}:`;
}
