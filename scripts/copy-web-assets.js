// The live view's static files (HTML, CSS) sit beside its TypeScript; tsc only emits the scripts.
import { cpSync, mkdirSync, readdirSync } from 'node:fs';

const from = new URL('../src/web/', import.meta.url);
const to = new URL('../dist/web/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) {
  if (/\.(html|css)$/.test(name)) cpSync(new URL(name, from), new URL(name, to));
}
