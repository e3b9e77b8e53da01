/**
 * Appends entries to a stream atomically: one script call per up to 2000 entries, so a call's
 * entries and the file's position after them are all in Redis or none is, across a kill -9 of
 * either side and a restart of Redis from its append-only file (Redis logs a script's effects as
 * one MULTI/EXEC). One command carrying each entry as one string costs far less, on both sides,
 * than a MULTI of one XADD per line (measured: `npm run bench -- redis`).
 *
 * The position lives in its own key beside the stream (positionKey), written only here: the
 * stream's last entry may be anyone's (another program XADDing to the key). Each call says which
 * position it continues from and is refused when the stored one differs (compare-and-set), so two
 * mirrors of one key, or a stale one, can never both append the same lines.
 */
import type { RedisClient } from './client.js';

/** The key holding how far `streamKey` was mirrored: the evlog id after the last mirrored line. */
export const positionKey = (streamKey: string): string => `${streamKey}:position`;

/** A stored position only counts while its stream exists: a deleted stream is mirrored again from the start. */
const READ_POSITION = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('GET', KEYS[2])
`;

// KEYS: the stream, its position. ARGV: maxlen, the file's name, the position the call continues
// from ('' for none), the position after its last entry, then the entries (fields and values joined by "\n").
const SCRIPT = `
local key, maxlen, file = KEYS[1], ARGV[1], ARGV[2]
local stored = false
if redis.call('EXISTS', key) == 1 then stored = redis.call('GET', KEYS[2]) end
if (stored or '') ~= ARGV[3] then return redis.error_reply('EVLOGMOVED ' .. (stored or '')) end
for i = 5, #ARGV do
  local a, f, s = ARGV[i], {}, 1
  while true do
    local e = string.find(a, '\\n', s, true)
    if not e then f[#f + 1] = string.sub(a, s) break end
    f[#f + 1] = string.sub(a, s, e - 1)
    s = e + 1
  end
  redis.call('XADD', key, 'MAXLEN', '~', maxlen, '*', 'file', file, unpack(f))
end
redis.call('SET', KEYS[2], ARGV[4])
return #ARGV - 4
`;

/** Entries per script call: Redis runs a script to its end before anything else, so a call stays at a few milliseconds. */
const ENTRIES_PER_CALL = 2000;

/** Thrown when the stored position is not the one the mirror continued from: someone else appended. */
export class PositionMoved extends Error {
  constructor(readonly stored: string | undefined) {
    super(`the position moved to ${stored ?? 'none'}`);
  }
}

/** The position stored for `streamKey` (undefined: none, or the stream is gone). */
export async function readPosition(client: RedisClient, streamKey: string): Promise<string | undefined> {
  const reply = await client.sendCommand(['EVAL', READ_POSITION, '2', streamKey, positionKey(streamKey)]);
  return typeof reply === 'string' ? reply : undefined;
}

/** The `id` field of an entry as batchEntries writes it (fields and values joined by "\n"). */
function entryId(entry: string): string {
  const f = entry.split('\n');
  for (let i = 0; i + 1 < f.length; i += 2) if (f[i] === 'id') return f[i + 1]!;
  throw new Error('an entry without an id');
}

/**
 * Appends `entries` in order after position `from`, and returns the new position. Each call holds
 * whole lines ending with the position of its last one; one call at a time, as a call that failed
 * must stop the ones after it, or the stream would have a hole.
 */
export async function appendEntries(
  client: RedisClient, key: string, file: string, maxlen: number, from: string | undefined, entries: readonly string[],
): Promise<string | undefined> {
  let position = from;
  for (let i = 0; i < entries.length; i += ENTRIES_PER_CALL) {
    const call = entries.slice(i, i + ENTRIES_PER_CALL);
    const next = entryId(call.at(-1)!);
    try {
      await client.sendCommand(['EVAL', SCRIPT, '2', key, positionKey(key), String(maxlen), file, position ?? '', next, ...call]);
    } catch (err) {
      const message = (err as Error).message;
      if (message.startsWith('EVLOGMOVED')) throw new PositionMoved(message.slice(11) || undefined);
      throw err;
    }
    position = next;
  }
  return position;
}
