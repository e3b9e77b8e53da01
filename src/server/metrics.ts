/** Counters for `/metrics`, rendered in the Prometheus text format. */
import type { Follower } from '../sources/file/follower.js';
import type { LineReader } from '../sources/file/reader.js';
import type { Encoded } from './encode.js';

export const TRANSPORTS = ['http', 'sse', 'ws'] as const;
export type Transport = (typeof TRANSPORTS)[number];

function perTransport(): Record<Transport, number> {
  return { http: 0, sse: 0, ws: 0 };
}

export class Metrics {
  readonly clients = perTransport();
  readonly connections = perTransport();
  readonly linesRead = perTransport();
  readonly linesSent = perTransport();
  readonly bytesSent = perTransport();
  readonly truncatedLines = perTransport();
  rejected = 0;
  /** Every connected client's reader, to see how far behind the slowest one is. */
  readonly readers = new Set<LineReader>();

  /** Bytes between the slowest client and the end of the file it is reading. */
  get maxLagBytes(): number {
    let max = 0;
    for (const reader of this.readers) max = Math.max(max, reader.lag);
    return max;
  }

  get totalClients(): number {
    return this.clients.http + this.clients.sse + this.clients.ws;
  }

  count(transport: Transport, encoded: Encoded): void {
    this.linesRead[transport] += encoded.read;
    this.linesSent[transport] += encoded.sent;
    this.truncatedLines[transport] += encoded.truncated;
    this.bytesSent[transport] += encoded.payload.length;
  }

  render(follower: Follower): string {
    const out: string[] = [];
    const family = (name: string, type: 'gauge' | 'counter', help: string, values: Record<Transport, number> | number): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      if (typeof values === 'number') out.push(`${name} ${values}`);
      else for (const t of TRANSPORTS) out.push(`${name}{transport="${t}"} ${values[t]}`);
    };
    family('evlog_clients', 'gauge', 'Streaming clients connected now.', this.clients);
    family('evlog_connections_total', 'counter', 'Streaming clients accepted.', this.connections);
    family('evlog_rejected_connections_total', 'counter', 'Clients refused because --max-clients was reached.', this.rejected);
    family('evlog_lines_read_total', 'counter', 'Lines read from the file for clients, before filtering.', this.linesRead);
    family('evlog_lines_sent_total', 'counter', 'Lines sent to clients.', this.linesSent);
    family('evlog_bytes_sent_total', 'counter', 'Payload bytes sent to clients.', this.bytesSent);
    family('evlog_truncated_lines_total', 'counter', 'Lines sent cut at --max-line-bytes.', this.truncatedLines);
    family('evlog_client_lag_bytes_max', 'gauge', 'Bytes the slowest client is behind the end of its file.', this.maxLagBytes);
    family('evlog_file_bytes_read_total', 'counter', 'Bytes read from the file (shared reads counted once).', follower.bytesRead);
    family('evlog_file_size_bytes', 'gauge', 'Size of the followed file.', follower.current?.size ?? 0);
    family('evlog_rotations_total', 'counter', 'Times the file was replaced at its path.', follower.rotations);
    family('evlog_truncations_total', 'counter', 'Times the file was found truncated (copy-truncate), also when it had grown again.', follower.truncations);
    family('evlog_gaps_total', 'counter', 'Gaps reported to clients: places a stream could not resume exactly (a rotated file gone, unread bytes truncated, an id beyond its file).', follower.gaps);
    return `${out.join('\n')}\n`;
  }
}
