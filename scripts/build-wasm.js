// Assembles each WebAssembly text module of src/wasm/ (NAME.wat) into dist/wasm/NAME.wasm. The
// modules are written by hand in the text format; SIMD (16 bytes at a time) is what they are for.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import initWabt from 'wabt';

const from = new URL('../src/wasm/', import.meta.url);
const to = new URL('../dist/wasm/', import.meta.url);
const wabt = await initWabt();
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((n) => n.endsWith('.wat'))) {
  const text = readFileSync(new URL(name, from), 'utf8');
  const module = wabt.parseWat(name, text, { simd: true });
  try {
    module.resolveNames();
    module.validate();
    writeFileSync(new URL(name.replace(/\.wat$/, '.wasm'), to), module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
