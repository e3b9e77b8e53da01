/**
 * Record ids: where a stream stands in the followed file, as file identity (device, inode, and a
 * fingerprint of the file's first line against inode reuse) and the byte offset just after the
 * line, so an id stays meaningful across rotations and server restarts.
 *
 * Right after a rotation a writer may still append to the renamed file while the new one already
 * streams, so a position can span several files: the newest one, and before it the rotated files
 * still being drained. An id lists them oldest first, the newest last:
 * `2.<dev>.<ino>-<fingerprint>-<offset>[.<ino>-<fingerprint>-<offset>…]` (base 36, URL- and
 * SSE-safe). Version 1 ids (`1.<dev>.<ino>.<offset>`, no fingerprint) are still understood.
 */
export interface FileIdentity {
  dev: number;
  ino: number;
}

export interface Position extends FileIdentity {
  /** Fingerprint of the file's first line; undefined when not known (an old id, offset 0). */
  fp: number | undefined;
  offset: number;
}

/** The newest file's position, and older files still drained at that moment. */
export interface Cursor extends Position {
  older: Position[];
}

/** At most this many positions in an id, which keeps every id within 128 bytes. */
export const MAX_POSITIONS = 3;
const field = /^[0-9a-z]{1,14}$/;

const b36 = (n: number): string => n.toString(36);
const entry = (p: Position): string => `${b36(p.ino)}-${p.fp === undefined ? '' : b36(p.fp)}-${b36(p.offset)}`;

/**
 * The id of `positions` (oldest first) with the offset of `positions[at]` left out: records of one
 * batch differ only in that offset, written between `prefix` and `suffix`.
 */
export function idAround(positions: readonly Position[], at: number): { prefix: string; suffix: string } {
  const p = positions[at]!;
  const before = positions.slice(0, at).map((q) => `${entry(q)}.`).join('');
  const after = positions.slice(at + 1).map((q) => `.${entry(q)}`).join('');
  return { prefix: `2.${b36(p.dev)}.${before}${b36(p.ino)}-${p.fp === undefined ? '' : b36(p.fp)}-`, suffix: after };
}

export function encodeCursor(cursor: Cursor): string {
  const positions = [...cursor.older, cursor];
  const { prefix, suffix } = idAround(positions, positions.length - 1);
  return `${prefix}${b36(cursor.offset)}${suffix}`;
}

function num(text: string): number | undefined {
  if (!field.test(text)) return undefined;
  const n = parseInt(text, 36);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Undefined for anything that is not an id this server could have written. */
export function decodeCursor(id: string): Cursor | undefined {
  if (id.length > 128) return undefined;
  const parts = id.split('.');
  if (parts[0] === '1' && parts.length === 4) {
    const [dev, ino, offset] = parts.slice(1).map(num);
    if (dev === undefined || ino === undefined || offset === undefined) return undefined;
    return { dev, ino, fp: undefined, offset, older: [] };
  }
  if (parts[0] !== '2' || parts.length < 3 || parts.length > 2 + MAX_POSITIONS) return undefined;
  const dev = num(parts[1]!);
  if (dev === undefined) return undefined;
  const positions: Position[] = [];
  for (const text of parts.slice(2)) {
    const [ino, fp, offset, extra] = text.split('-');
    const p = { dev, ino: num(ino ?? ''), fp: fp === '' ? undefined : num(fp ?? ''), offset: num(offset ?? '') };
    if (extra !== undefined || p.ino === undefined || p.offset === undefined || (fp !== '' && p.fp === undefined)) return undefined;
    positions.push(p as Position);
  }
  const newest = positions.pop()!;
  return { ...newest, older: positions };
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
