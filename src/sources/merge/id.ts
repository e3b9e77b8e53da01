/**
 * Ids of a merged stream: `m.<epoch>.<entry>.<bytes>` (base 36). `entry` is a sequence number in
 * the server's interleave index (log.ts) and `bytes` how much of that entry's lines the stream has
 * delivered, counted as the file reader counts its offsets. The epoch names the index, so an id
 * from another server's state (or from before the state was deleted) is recognised as such. At
 * most 40 bytes whatever the number of files.
 */
export interface MergedPosition {
  epoch: string;
  entry: number;
  bytes: number;
}

const shape = /^m\.([0-9a-z]{1,13})\.([0-9a-z]{1,11})\.([0-9a-z]{1,11})$/;

/** What the records of one delivery from `entry` share: the encoder writes the byte count after it. */
export function idPrefix(epoch: string, entry: number): string {
  return `m.${epoch}.${entry.toString(36)}.`;
}

export function encodeMergedId(p: MergedPosition): string {
  return idPrefix(p.epoch, p.entry) + p.bytes.toString(36);
}

export function decodeMergedId(id: string): MergedPosition | undefined {
  const m = shape.exec(id);
  if (!m) return undefined;
  const entry = parseInt(m[2]!, 36);
  const bytes = parseInt(m[3]!, 36);
  if (!Number.isSafeInteger(entry) || !Number.isSafeInteger(bytes)) return undefined;
  return { epoch: m[1]!, entry, bytes };
}
