// `npm run bench`: every scenario against its baseline in the same run, a table on stdout and
// bench/results.json. `npm run bench -- throughput latency` runs only those scenarios.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { browserView } from './browser.js';
import { filtered } from './filter.js';
import { idleFiles, spreadFiles } from './files.js';
import { generator } from './generate.js';
import { consumerGroups } from './group.js';
import { jsonLines } from './json.js';
import { hostileRegex } from './hostile-regex.js';
import { fmt } from './lib.js';
import { fanOut, latency } from './latency.js';
import { listener, startup } from './listener.js';
import { redisMirror } from './redis.js';
import { rotationUnderLoad } from './rotation.js';
import { slowSubscriber } from './slow-subscriber.js';
import { throughput } from './throughput.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const scenarios = {
  throughput: () => throughput({ runs }),
  // BENCH_JSON_LINES: more lines a run, for a finer reading of the server's 10 ms CPU ticks.
  json: () => jsonLines({ runs, total: Number(process.env.BENCH_JSON_LINES ?? 200_000) }),
  filter: () => filtered({ runs }),
  hostile: () => hostileRegex(),
  latency: () => latency(),
  fanout: () => fanOut(),
  slow: async () => [{ scenario: 'slow-subscriber', ...(await slowSubscriber()) }],
  rotation: () => rotationUnderLoad(),
  listen: () => listener({ runs }),
  generate: () => generator({ runs }),
  startup: () => startup(),
  browser: () => browserView({ runs }),
  redis: () => redisMirror({ runs }),
  files: async () => [...(await idleFiles({ runs })), ...(await spreadFiles({ runs }))],
  group: () => consumerGroups({ runs }),
};
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(scenarios);
const unknown = chosen.filter((name) => !(name in scenarios));
if (unknown.length) {
  console.error(`bench: unknown scenario ${unknown.join(', ')} (choose from ${Object.keys(scenarios).join(', ')})`);
  process.exit(2);
}

const ok = (pass) => (pass ? 'ok' : 'MISSED');
const rows = [];
const results = [];
for (const name of chosen) {
  console.error(`bench: ${name}…`);
  const out = await scenarios[name]();
  results.push(...out);
  for (const r of out) {
    switch (r.scenario) {
      case 'throughput':
        rows.push([`${r.transport}, ${fmt(r.lines)} × ${r.lineBytes} B`, `${fmt(r.linesPerSec)} lines/s, ${fmt(r.ratioToRelay, 2)}× relay, ${fmt(r.cpuSecondsPer1M, 2)} CPU-s/1M, RSS ${fmt(r.peakRssMb)} MB`,
          `${r.lineBytes === 200 ? `≥ 0.6× relay: ${ok(r.ratioToRelay >= 0.6)}` : r.transport === 'text' ? `≥ 0.5× relay, ≤ 0.5 CPU-s: ${ok(r.ratioToRelay >= 0.5 && r.cpuSecondsPer1M <= 0.5)}` : `≥ 1M lines/s: ${ok(r.linesPerSec >= 1e6)}`}; RSS ≤ 80 MB: ${ok(r.peakRssMb <= 80)}`,
          r.exact ? 'exact' : `NOT EXACT ${r.errors.join('; ')}`]);
        break;
      case 'json':
        rows.push([`${r.transport}, ${fmt(r.lines)} × ${r.lineBytes} B ${r.kind}`, `${fmt(r.linesPerSec)} lines/s, ${fmt(r.cpuMicrosPerLine, 2)} µs server CPU per line, ${fmt(r.ratioToPlain, 2)}× plain`,
          r.kind.endsWith('plain') ? 'baseline' : r.kind.startsWith('baseline') ? '' : `≤ 1.2× plain: ${ok(r.ratioToPlain <= 1.2)}`, r.exact ? 'exact' : `NOT EXACT ${r.errors.join('; ')}`]);
        break;
      case 'filter':
        rows.push([`ndjson ${r.label}, ${fmt(r.lines)} × ${r.lineBytes} B`, `${fmt(r.linesPerSec)} lines/s, ${fmt(r.ratio, 2)}× ${r.baselineName} (${fmt(r.baselineLinesPerSec)})`,
          `≥ 0.8× ${r.baselineName}: ${ok(r.ratio >= 0.8)}`, r.exact ? 'exact' : `NOT EXACT ${r.errors.join('; ')}`]);
        break;
      case 'hostile-regex': {
        const ms = (x) => `p50 ${fmt(x.p50, 1)} / p95 ${fmt(x.p95, 1)} / max ${fmt(x.max, 1)} ms`;
        const control = r.patterns.includes('zzz');
        rows.push([`${control ? 'harmless' : 'hostile'} match=${r.patterns.join(', ')}, 16 KB lines`, `other client ${ms(r.delivery)}; /healthz ${ms(r.health)}`,
          control ? '' : `p95 ≤ 50 ms: ${ok(r.delivery.p95 <= 50 && r.health.p95 <= 50)}`, r.missing === 0 ? `${r.rounds} rounds` : `${r.missing} MISSING`]);
        break;
      }
      case 'throughput-baseline':
        rows.push([`baseline, ${fmt(r.lines)} × ${r.lineBytes} B`, `node tail -F relay ${fmt(r.relayLinesPerSec)} lines/s; tail -F | wc ${fmt(r.pipeLinesPerSec)} lines/s`, '', '']);
        break;
      case 'latency':
        rows.push([`latency ${fmt(r.rate)}/s, ${r.transport === 'relay' ? 'baseline relay' : r.transport}`, `p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, max ${fmt(r.max, 1)} ms`,
          r.transport === 'relay' ? '' : `p99 ≤ ${r.rate <= 1000 ? 2 : 5} ms: ${ok(r.p99 <= (r.rate <= 1000 ? 2 : 5))}`, r.exact ? 'exact' : 'NOT EXACT']);
        break;
      case 'fan-out':
        rows.push([`fan-out ${r.clients} WS at ${fmt(r.rate)}/s`, `p99 ${fmt(r.p99, 1)} ms, RSS ${fmt(r.serverPeakRssMb)} MB, ${fmt(r.serverCpuSeconds, 1)} CPU-s`,
          `all lines, p99 ≤ 50 ms, RSS ≤ 300 MB: ${ok(r.complete === r.clients && r.p99 <= 50 && r.serverPeakRssMb <= 300)}`,
          `${r.complete}/${r.clients} complete, ${fmt(r.messagesPerClient)} messages each, clients used ${fmt(r.clientCpuSeconds, 1)} CPU-s`]);
        break;
      case 'rotation': {
        const lossText = `${fmt(r.lost)} lost, ${fmt(r.duplicates)} duplicated of ${fmt(r.total)}`;
        const delays = `first 10 ms after a rotation p99 ${fmt(r.aroundP99, 1)} ms, max ${fmt(r.aroundMax, 1)} ms (all p99 ${fmt(r.all.p99, 1)} ms)`;
        rows.push([`rotation under load, ${r.follower === 'evlog' ? 'evlog' : 'baseline tail -F'}: ${fmt(r.rate)}/s, renamed every ${r.everyMs} ms`, `${lossText}; ${delays}`,
          r.follower === 'evlog' ? `0 lost, p99/max ≤ 50 ms: ${ok(r.lost === 0 && r.duplicates === 0 && r.aroundP99 <= 50 && r.aroundMax <= 50)}` : '', r.foreign === 0 ? `${r.rotations} rotations` : `${r.foreign} SPLIT OR FOREIGN`]);
        break;
      }
      case 'slow-subscriber':
        rows.push([`slow subscriber, ${r.backlogMb} MB backlog`, `peak RSS ${fmt(r.peakRssMb)} MB (${fmt(r.baselineRssMb)} at start)`, `≤ 100 MB: ${ok(r.peakRssMb <= 100)}`, r.exact ? 'exact' : `NOT EXACT ${r.error}`]);
        break;
      case 'listen':
        rows.push([`listen → ${r.mode}`, `${fmt(r.eventsPerSec)} events/s${r.cpuMicrosPerLine === undefined ? '' : `, ${fmt(r.cpuMicrosPerLine, 2)} µs listener CPU per line`}`, r.mode.endsWith('baseline build') ? '' : `≥ ${r.mode.startsWith('stdout') ? '1M' : '500k'}/s: ${ok(r.eventsPerSec >= (r.mode.startsWith('stdout') ? 1e6 : 5e5))}`, '']);
        break;
      case 'generate':
        rows.push(['generate -r 0 -n 1M', `${fmt(r.evlogLinesPerSec)} lines/s, bare winston ${fmt(r.bareWinstonLinesPerSec)}`, `≥ 0.8×: ${ok(r.ratio >= 0.8)} (${fmt(r.ratio, 2)}×)`, '']);
        break;
      case 'browser':
        if (r.skipped) rows.push(['browser live view', r.skipped, '', '']);
        else rows.push([`browser live view at ${fmt(r.rate)}/s`, `frames p50 ${fmt(r.frameP50, 1)} / p95 ${fmt(r.frameP95, 1)} ms (idle p95 ${fmt(r.idleFrameP95, 1)}), long tasks ${fmt(r.longTaskMs)} ms in ${r.seconds + 1} s, slowest input ${fmt(r.slowestInteractionMs)} ms, behind by ${fmt(r.lagMs)} ms`,
          `p95 frame ≤ 50 ms, input ≤ 200 ms: ${ok(r.frameP95 <= 50 && r.slowestInteractionMs <= 200)}`, r.exact ? `exact, ${r.rows} rows in DOM` : 'NOT EXACT']);
        break;
      case 'redis-mirror':
        if (r.skipped) rows.push(['redis mirror', r.skipped, '', '']);
        else rows.push([`redis mirror, ${fmt(r.lines)} lines file → stream`, `${fmt(r.mirrorLinesPerSec)} lines/s, ${fmt(r.ratio, 2)}× bare pipelined XADD (${fmt(r.bareLinesPerSec)})`,
          `≥ 0.5× bare: ${ok(r.ratio >= 0.5)}`, r.exact ? 'exact' : 'NOT EXACT']);
        break;
      case 'files-idle':
        rows.push([`${fmt(r.files)} idle files, ${r.seconds} s`,
          `start-up ${fmt(r.startMs)} ms, ${fmt(r.fds)} descriptors, RSS ${fmt(r.rssMb)} MB, CPU ${fmt(r.cpuPercent, 2)}% (one file: ${fmt(r.baseStartMs)} ms, ${fmt(r.baseFds)}, ${fmt(r.baseRssMb)} MB, ${fmt(r.baseCpuPercent, 2)}%)`,
          `start-up ≤ 2 s: ${ok(r.startMs <= 2000)}; ≤ one file's + 64 descriptors: ${ok(r.fds <= r.baseFds + 64)}; RSS ≤ 150 MB: ${ok(r.rssMb <= 150)}; CPU ≤ 1%: ${ok(r.cpuPercent <= 1)}`, '']);
        break;
      case 'files-spread':
        rows.push([r.merged ? `${fmt(r.files)} file${r.files === 1 ? '' : 's'} (a glob), ${fmt(r.rate)} lines/s spread, one merged client` : `1 file alone, ${fmt(r.rate)} lines/s, one client`,
          `p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, max ${fmt(r.max, 1)} ms, ${fmt(r.cpuMicrosPerLine, 1)} µs server CPU per line, ${fmt(r.fds)} descriptors`,
          r.merged ? `${fmt(r.p50Ratio, 2)}× the file alone's p50, ${fmt(r.p99Ratio, 2)}× its p99, ${fmt(r.cpuRatio, 2)}× its CPU per line` : 'baseline', r.exact ? 'exact' : 'NOT EXACT']);
        break;
      case 'group':
        if (r.skipped) rows.push(['consumer group', r.skipped, '', '']);
        else rows.push([`group of ${r.consumers}, ${fmt(r.events)} events, no-op callback`, `${fmt(r.eventsPerSec)} events/s, ${fmt(r.ratio, 2)}× bare XREADGROUP/XACK loops (${fmt(r.bareEventsPerSec)}); consumers' CPU ${fmt(r.cpuMicrosPerEvent, 1)} µs/event, bare ${fmt(r.bareCpuMicrosPerEvent, 1)}`,
          `≥ 0.5× bare: ${ok(r.ratio >= 0.5)}`, '']);
        break;
      case 'group-claim':
        rows.push([`claim after kill -9, --claim-idle ${fmt(r.claimIdleMs)} ms`, `its 100 pending handled ${fmt(r.latencyMs)} ms after the kill (max ${fmt(r.maxLatencyMs)})`,
          `≤ 1.5× claim-idle: ${ok(r.maxLatencyMs <= 1.5 * r.claimIdleMs)}`, '']);
        break;
      case 'startup':
        rows.push(['evlog --help', `${fmt(r.helpMs)} ms, node -e 0 ${fmt(r.nodeMs)} ms`, `≤ node + 100 ms: ${ok(r.overheadMs <= 100)}`, '']);
        break;
    }
  }
}

const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)));
console.log(`\nevlog benchmark · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · node ${process.version} · medians of ${runs}\n`);
for (const row of rows) console.log(`${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2].padEnd(widths[2])}  ${row[3]}`);
const out = path.join(import.meta.dirname, 'results.json');
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, runs, results }, null, 2)}\n`);
console.log(`\nwritten: ${path.relative(process.cwd(), out)}`);
