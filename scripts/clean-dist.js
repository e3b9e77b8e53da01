// A build starts from an empty dist/, so nothing a previous build left there (an old file, a
// source map) ends up in the package.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
