/**
 * One hue per event name, the same in the log rows and the chart, derived from the name alone:
 * the same on every page load and whatever order events arrive in. (Stepping a hue away from ones
 * already taken kept names apart, but made a name's colour depend on which came first.)
 */
const GOLDEN_ANGLE = 137.508;

export function hashHue(name: string): number {
  // FNV-1a, 32 bits.
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return Math.round(((hash >>> 0) * GOLDEN_ANGLE) % 360);
}
