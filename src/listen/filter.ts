/** `-m` (any of them), `-i`, `-v`: grep's semantics on the raw line, regexes compiled once. */
export interface FilterOptions {
  patterns: readonly string[];
  ignoreCase?: boolean;
  invert?: boolean;
}

/**
 * What a line yields: `false` when it is filtered out, else the match array of the first pattern
 * that matched (null when there are no patterns, or with `invert`, where nothing matched).
 */
export type Filter = (line: string) => RegExpExecArray | null | false;

export function makeFilter({ patterns, ignoreCase = false, invert = false }: FilterOptions): Filter {
  const regexes = patterns.map((p) => new RegExp(p, ignoreCase ? 'i' : ''));
  if (regexes.length === 0) return invert ? () => false : () => null;
  if (invert) return (line) => (regexes.some((re) => re.test(line)) ? false : null);
  if (regexes.length === 1) {
    const [re] = regexes as [RegExp];
    return (line) => re.exec(line) ?? false;
  }
  return (line) => {
    for (const re of regexes) {
      const m = re.exec(line);
      if (m) return m;
    }
    return false;
  };
}
