/**
 * One hue per event name, the same in the log rows and the chart. A name's hue starts from a hash
 * of the name, so it is the same on every page load; when that lands too close to a hue already
 * in use it steps round the colour wheel, so the handful of names a stream usually has stay
 * easy to tell apart.
 */
const GOLDEN_ANGLE = 137.508;
const MIN_GAP = 40;
const MAX_STEPS = 12;
/** Names are log input; past this many, hues are the plain hash and are not remembered. */
const MAX_NAMES = 1000;

export function hashHue(name: string): number {
  // FNV-1a, 32 bits.
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return Math.round(((hash >>> 0) * GOLDEN_ANGLE) % 360);
}

function distance(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return Math.min(d, 360 - d);
}

export class Palette {
  readonly #hues = new Map<string, number>();

  hue(name: string): number {
    const known = this.#hues.get(name);
    if (known !== undefined) return known;
    let hue = hashHue(name);
    if (this.#hues.size >= MAX_NAMES) return hue;
    const taken = [...this.#hues.values()];
    for (let step = 0; step < MAX_STEPS && taken.some((t) => distance(t, hue) < MIN_GAP); step++) {
      hue = Math.round((hue + GOLDEN_ANGLE) % 360);
    }
    this.#hues.set(name, hue);
    return hue;
  }
}

/** The page's one palette, shared by the rows and the chart. */
export const palette = new Palette();
