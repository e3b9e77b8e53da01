/**
 * Where `listen` reads from and how it commits, chosen by the URL: an evlog server (HTTP or
 * WebSocket) or a Redis stream read alone, both committing to the `--checkpoint` file; or a
 * Redis stream read as one consumer of a group, committing by acknowledging each event.
 */
import { connect, type ConnectOptions } from '../client/connect.js';
import type { RecordSource } from '../client/source.js';
import { isRedisResumePoint } from '../redis/entry.js';
import { channelSelector } from '../sources/channels.js';
import { CheckpointCommit, type Commit } from './commit.js';
import { GroupCommit } from './group-commit.js';
import { isRedisUrl, type ResolvedListenOptions } from './options.js';

export interface Source {
  stream: RecordSource;
  commit: Commit;
}

type Hooks = Pick<ConnectOptions, 'onStatus' | 'onGap'> & {
  /** How many more events are wanted (`-n`): a group member reads no more than that. */
  remaining?: () => number;
};

/** Opens the source; a Redis that cannot be reached fails here (exit 1), before anything is read. */
export async function openSource(opts: ResolvedListenOptions, hooks: Hooks): Promise<Source> {
  const { url, log, reconnect } = opts;
  if (!isRedisUrl(url)) {
    const commit = await CheckpointCommit.open(opts.checkpoint);
    const stream = connect(url, {
      token: opts.token,
      ca: opts.ca,
      // A saved checkpoint wins over --from and --tail.
      from: commit.saved ?? opts.from,
      tail: commit.saved === undefined ? opts.tail : undefined,
      files: opts.file,
      reconnect,
      ...hooks,
    });
    return { stream, commit };
  }
  // Loaded only for a Redis URL: node-redis is a large part of the start-up time of a listener that reads a server.
  const [{ RedisStreamReader }, { RedisGroupReader }] = await Promise.all([import('../redis/stream-reader.js'), import('../redis/group-reader.js')]);
  const key = opts.stream!;
  // Entries carry the file they came from: -f selects among them as a server selects its channels.
  const files = opts.file.length > 0 ? channelSelector(opts.file) : undefined;
  if (opts.group === undefined) {
    const commit = await CheckpointCommit.open(opts.checkpoint, isRedisResumePoint);
    const stream = await RedisStreamReader.open({
      url, key, reconnect, log, files, onGap: hooks.onGap,
      from: commit.saved ?? opts.from,
      tail: commit.saved === undefined ? opts.tail : undefined,
    });
    return { stream, commit };
  }
  const commit = await GroupCommit.open({ url, key, group: opts.group, maxDeliveries: opts.maxDeliveries, log });
  try {
    const stream = await RedisGroupReader.open({
      url, key, reconnect, log, files, onGap: hooks.onGap,
      group: opts.group,
      consumer: opts.consumer!,
      from: opts.from,
      claimIdleMs: opts.claimIdleMs,
      commit,
      remaining: hooks.remaining,
    });
    return { stream, commit };
  } catch (err) {
    await commit.flush();
    throw err;
  }
}
