/**
 * The keys the JSON scan looks for, and its shortcut for the commonest JSON log line: winston's,
 * string members only and no space, `{"k":"v","k":"v"}`. In a batch searched natively for
 * backslashes, controls and non-ASCII bytes, the positions of such a line's quotes decide it
 * without reading the bytes between them.
 */

/** Which of session, event, message `bytes[from, to)` spells: 0, 1, 2, or -1 for none. */
export function keyOf(bytes: Buffer, from: number, to: number): number {
  const n = to - from;
  if (n === 7 && bytes[from] === 0x73) return matches(bytes, from, 'session') ? 0 : -1;
  if (n === 5 && bytes[from] === 0x65) return matches(bytes, from, 'event') ? 1 : -1;
  if (n === 7 && bytes[from] === 0x6d) return matches(bytes, from, 'message') ? 2 : -1;
  return -1;
}

function matches(bytes: Buffer, from: number, word: string): boolean {
  for (let i = 1; i < word.length; i++) if (bytes[from + i] !== word.charCodeAt(i)) return false;
  return true;
}

/**
 * `bytes[from, to)`, whose `count` quotes are at `at` and whose strings hold no escape, control
 * or non-ASCII byte, as a line of string members only: each gap between quotes must be the one
 * byte `:` or `,`, which makes it valid JSON. Sets `starts`/`ends` of the last session, event and
 * message values (as the full scan does) and returns true; false when the line is not of this
 * shape, and the full scan decides.
 */
export function flatMembers(bytes: Buffer, from: number, to: number, at: Int32Array, count: number, starts: Int32Array, ends: Int32Array): boolean {
  const n = count;
  if (n === 0 || n % 4 !== 0 || at[0] !== from + 1 || at[n - 1] !== to - 2 || bytes[to - 1] !== 0x7d) return false;
  for (let i = 1; i < n - 1; i += 2) {
    if (at[i + 1] !== at[i]! + 2 || bytes[at[i]! + 1] !== (i % 4 === 1 ? 0x3a : 0x2c)) return false;
  }
  for (let i = 0; i < n; i += 4) {
    const key = keyOf(bytes, at[i]! + 1, at[i + 1]!);
    if (key !== -1) {
      starts[key] = at[i + 2]! + 1;
      ends[key] = at[i + 3]!;
    }
  }
  return true;
}
