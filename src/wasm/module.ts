/**
 * Our WebAssembly modules (src/wasm/NAME.wat, assembled by `npm run build` into dist/wasm/), each
 * instantiated once with its own memory, seen from JavaScript as one Buffer. The byte loops that
 * decide throughput on JSON-bearing lines run there, 16 bytes at a time; a call costs a few
 * nanoseconds, so a loop over a whole line or batch belongs in one call.
 */
import { existsSync, readFileSync } from 'node:fs';

const PAGE = 65536;

/** Where NAME.wasm is: beside this file once built; from src/ (the tests, after `npm run build`) in dist/. */
function wasmPath(name: string): URL {
  const built = new URL(`./${name}.wasm`, import.meta.url);
  return existsSync(built) ? built : new URL(`../../dist/wasm/${name}.wasm`, import.meta.url);
}

export class WasmModule<Exports> {
  readonly exports: Exports;
  readonly #memory: WebAssembly.Memory;
  #bytes: Buffer;

  constructor(name: string) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmPath(name))), {});
    this.exports = instance.exports as Exports;
    this.#memory = instance.exports.memory as WebAssembly.Memory;
    this.#bytes = Buffer.from(this.#memory.buffer);
  }

  /**
   * The whole memory as bytes. Growing the memory detaches every earlier view of it: take this
   * again after `reserve`, never keep it across one.
   */
  get bytes(): Buffer {
    if (this.#bytes.buffer !== this.#memory.buffer) this.#bytes = Buffer.from(this.#memory.buffer);
    return this.#bytes;
  }

  /** Makes the memory at least `size` bytes long; true when it grew (views taken before are void). */
  reserve(size: number): boolean {
    const missing = size - this.#memory.buffer.byteLength;
    if (missing <= 0) return false;
    this.#memory.grow(Math.ceil(missing / PAGE));
    return true;
  }
}
