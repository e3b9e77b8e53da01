/**
 * Which files the view shows: the page URL's `file=` values (names or globs, as the server takes
 * them), none meaning every file. The server selects what it sends; the page applies the same test
 * to the lines it already holds, so narrowing the selection hides the other files' lines at once
 * and widening it brings back the ones still kept.
 */
export type FileTest = (file: string | undefined) => boolean;

const GLOB_CHAR = /[*?[{]/;

export const isGlob = (name: string): boolean => GLOB_CHAR.test(name);

/**
 * A glob as the server reads one (`*` and `?` within a path segment, `**` across them, `{a,b}`,
 * `[abc]`), as a RegExp. Names in a link come from people; an unreadable glob matches nothing
 * here, and the server, which decides what is sent, says what is wrong with it.
 */
function globToRegExp(glob: string): RegExp | undefined {
  let source = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `a/**/b` also matches `a/b`.
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') {
      source += '(?:';
      braces++;
    } else if (c === '}' && braces > 0) {
      source += ')';
      braces--;
    } else if (c === ',' && braces > 0) source += '|';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) return undefined;
      source += `[${glob.slice(i + 1, close).replace(/^!/, '^').replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else source += c.replace(/[.+^$(){}|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`^${source}$`);
  } catch {
    return undefined;
  }
}

export function fileTest(selected: readonly string[]): FileTest {
  if (selected.length === 0) return () => true;
  const exact = new Set(selected);
  const globs = selected.filter(isGlob).map(globToRegExp).filter((r) => r !== undefined);
  // A record with no file comes from a server of one file, which has nothing to choose from.
  return (file) => file === undefined || exact.has(file) || globs.some((g) => g.test(file));
}

/** The selection the page URL holds: `?file=a.log&file=b.log`. */
export function readSelection(url: URL): string[] {
  return [...new Set(url.searchParams.getAll('file').filter((f) => f !== ''))];
}

/** The page URL for this selection, other settings kept, so a link opens the same view. */
export function writeSelection(url: URL, selected: readonly string[]): URL {
  const next = new URL(url);
  next.searchParams.delete('file');
  for (const file of selected) next.searchParams.append('file', file);
  return next;
}
