/**
 * What `/metrics` and `/healthz` say about the followed files, however many there are. Each family a
 * source reports (`evlog_rotations_total`, `evlog_file_size_bytes`, …) is written once: its total
 * across every file without a label, then one `{file="…"}` series for each of the files furthest
 * behind (the slowest client's lag), at most TOP_FILES of them. A server with ten thousand files
 * thus writes a few hundred series, not a few hundred thousand, and the files worth looking at are
 * the ones shown.
 */
import type { Channel } from '../sources/channels.js';
import type { MetricFamily } from '../sources/source.js';

/** Files with a series of their own in each family. */
export const TOP_FILES = 20;

export const FILE_LAG = 'evlog_file_lag_bytes';

interface FileFigures {
  name: string;
  families: MetricFamily[];
  lag: number;
}

function figures(channel: Channel): FileFigures {
  const families = channel.source.metrics();
  return { name: channel.name, families, lag: families.find((f) => f.name === FILE_LAG)?.value ?? 0 };
}

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
export function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The channels with a series of their own: furthest behind first, then in the order they came. */
export function topFiles<T extends { lag: number }>(files: readonly T[], top = TOP_FILES): T[] {
  // Array.prototype.sort is stable: files equally behind keep their order.
  return [...files].sort((a, b) => b.lag - a.lag).slice(0, top);
}

/** The per-file families in the Prometheus text format, HELP and TYPE once each. */
export function renderFileFamilies(channels: readonly Channel[], top = TOP_FILES): string[] {
  const files = channels.map(figures);
  const shown = topFiles(files, top);
  const out: string[] = ['# HELP evlog_files Files followed now.', '# TYPE evlog_files gauge', `evlog_files ${files.length}`];
  const names = new Map<string, MetricFamily>();
  for (const file of files) for (const f of file.families) if (!names.has(f.name)) names.set(f.name, f);
  for (const [name, family] of names) {
    const values = files.map((file) => file.families.find((f) => f.name === name)?.value ?? 0);
    const total = values.reduce(family.total === 'max' ? (a, b) => Math.max(a, b) : (a, b) => a + b, 0);
    out.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`, `${name} ${total}`);
    for (const file of shown) {
      const value = file.families.find((f) => f.name === name)?.value ?? 0;
      out.push(`${name}{file="${labelValue(file.name)}"} ${value}`);
    }
  }
  return out;
}

/** `/healthz` for a holder of the token: each file's state and how far its slowest client is behind. */
export function fileHealth(channels: readonly Channel[]): Record<string, unknown>[] {
  return channels.map((channel) => {
    const { file: path, ...health } = channel.source.health();
    return { file: channel.name, path, ...health, lagBytes: figures(channel).lag };
  });
}
