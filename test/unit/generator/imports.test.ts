import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../../src');

/** The packages a module loads at run time, through its relative imports (type-only ones are erased). */
function packagesOf(entry: string, seen = new Set<string>(), found = new Set<string>()): Set<string> {
  if (seen.has(entry)) return found;
  seen.add(entry);
  const source = readFileSync(entry, 'utf8');
  for (const [, typeOnly, spec] of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)) {
    if (typeOnly) continue;
    if (spec!.startsWith('.')) packagesOf(path.resolve(path.dirname(entry), spec!.replace(/\.js$/, '.ts')), seen, found);
    else if (!spec!.startsWith('node:')) found.add(spec!);
  }
  return found;
}

describe('the library generate()', () => {
  it('loads winston and split2, not the CLI\'s commander', () => {
    expect([...packagesOf(path.join(SRC, 'generator/index.ts'))].sort()).toEqual(['split2', 'winston']);
  });
});
