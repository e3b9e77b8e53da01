/** Counters for `/metrics`, rendered in the Prometheus text format. */
import type { Channel } from '../sources/channels.js';
import type { MetricFamily, SourceReader } from '../sources/source.js';
import type { Encoded } from './encode.js';
import { renderFileFamilies } from './file-metrics.js';

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
  readonly readers = new Set<SourceReader>();

  /** How far the slowest client is behind the head of its source (bytes for a file). */
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

  /** `more`: figures of what runs beside the files (the Redis mirror), after theirs. */
  render(channels: readonly Channel[], more: readonly MetricFamily[] = []): string {
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
    out.push(...renderFileFamilies(channels));
    for (const f of more) family(f.name, f.type, f.help, f.value);
    return `${out.join('\n')}\n`;
  }
}
