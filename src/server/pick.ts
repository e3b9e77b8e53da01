/**
 * Which source a stream request reads, from its `file=` and `from=`. A server of one file serves
 * that file's own reader, ids and all, as it always did. A server of several files serves their
 * merged stream (its ids resume every file at its own position), unless the request names exactly
 * one file without a glob: that file's own reader then, so a file's own id (from `/files`, or a
 * stream of that file) resumes it.
 */
import picomatch from 'picomatch';
import { channelSelector, type Channels } from '../sources/channels.js';
import type { Source } from '../sources/source.js';
import { BadRequest, type StreamQuery } from './query.js';

/** The merged stream of a server of several files, as the picker needs it (merge/index.ts). */
export interface Merged {
  isId(id: string): boolean;
  /** The merged stream of the channels `select` accepts. */
  view(select: (name: string) => boolean): Source;
}

export interface Picker {
  /** Whether `id` is one this server could have written (a file's or the merged stream's). */
  isId(id: string): boolean;
  /** The source for an admitted query; throws BadRequest when its `file=` and `from=` do not fit. */
  pick(query: Pick<StreamQuery, 'files' | 'startAt'>): Source;
}

const isGlob = (pattern: string): boolean => picomatch.scan(pattern).isGlob;

export function makePicker(channels: Channels, merged: Merged | undefined): Picker {
  const fileId = (id: string): boolean => channels.list().some((c) => c.source.isId(id));

  /** Exact names must be followed files; globs may match none (yet). */
  const checkNames = (files: readonly string[]): void => {
    const unknown = files.find((f) => !isGlob(f) && !channels.get(f));
    if (unknown !== undefined) throw new BadRequest(`file: '${unknown.slice(0, 200)}' is not a file this server follows (see /files)`);
  };

  return {
    isId: (id) => (merged?.isId(id) ?? false) || fileId(id),
    pick({ files, startAt }) {
      checkNames(files);
      const from = startAt.kind === 'after' ? startAt.id : undefined;
      if (merged && from !== undefined && merged.isId(from)) return merged.view(channelSelector(files));
      const one = files.length === 1 && !isGlob(files[0]!) ? channels.get(files[0]) : undefined;
      if (one) return one;
      if (!merged) {
        const only = channels.size === 1 ? channels.list()[0]! : undefined;
        if (only && channelSelector(files)(only.name)) return only.source;
        throw new BadRequest(`file: name one followed file (${files.join(', ').slice(0, 200) || 'none named'})`);
      }
      if (from !== undefined) throw new BadRequest("from: a file's own id resumes that file: name it alone with file=");
      return merged.view(channelSelector(files));
    },
  };
}
