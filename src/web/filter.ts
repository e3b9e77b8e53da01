/**
 * The page's line filter: a JavaScript regex like the server's `match=`, with grep's `-i` and
 * `-v`. An invalid pattern is an answer, not an exception, so typing `(` shows a hint instead of
 * breaking the view.
 */
export interface FilterSpec {
  pattern: string;
  ignoreCase: boolean;
  invert: boolean;
}

export interface LineFilter {
  /** False when the pattern is empty: every line passes and nothing is highlighted. */
  readonly active: boolean;
  test(line: string): boolean;
  /** `[start, end)` of each match, for highlighting; none for an inverted filter. */
  ranges(line: string): Array<[number, number]>;
}

export type CompiledFilter = { ok: true; filter: LineFilter } | { ok: false; error: string };

/** A pathological pattern could match at every position of a long line; the rest stays plain. */
const MAX_RANGES = 64;

export const passAll: LineFilter = { active: false, test: () => true, ranges: () => [] };

export function compileFilter(spec: FilterSpec): CompiledFilter {
  if (spec.pattern === '') return { ok: true, filter: passAll };
  let test: RegExp;
  let find: RegExp;
  try {
    const flags = spec.ignoreCase ? 'i' : '';
    test = new RegExp(spec.pattern, flags);
    find = new RegExp(spec.pattern, `${flags}g`);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const keep = !spec.invert;
  return {
    ok: true,
    filter: {
      active: true,
      test: (line) => test.test(line) === keep,
      ranges: (line) => {
        if (!keep) return [];
        const out: Array<[number, number]> = [];
        find.lastIndex = 0;
        for (let m = find.exec(line); m !== null && out.length < MAX_RANGES; m = find.exec(line)) {
          if (m[0] === '') {
            // An empty match marks nothing, and must not stall the scan.
            find.lastIndex++;
            continue;
          }
          out.push([m.index, m.index + m[0].length]);
        }
        return out;
      },
    },
  };
}
