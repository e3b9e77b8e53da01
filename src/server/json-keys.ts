/**
 * The keys the JSON scan looks for. (Lines of string members only, winston's shape, are settled
 * before the scan from their quote positions, in WebAssembly: src/wasm/escape.wat `flatFields`.)
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
