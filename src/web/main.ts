/**
 * The live view's wiring: settings from the page URL, the stream, the files, the log, the chart
 * and the controls. Page URL parameters: `token`, `limit` (rows kept, default 5000), `tail`
 * (history on open, default 100), `file` (repeatable: the files shown), `chart=file` (the chart
 * per file), and the filter: `match`, `ignore_case`, `invert`, `server`.
 */
import { RateChart } from './chart.js';
import { LiveStream, type ConnectionState } from './connection.js';
import { fetchFiles, FilePicker } from './files.js';
import { compileFilter, type FilterSpec } from './filter.js';
import { LogView, type LogStats } from './log-view.js';
import { EventRates } from './rates.js';
import type { LiveRecord } from './record.js';
import { fileTest, readSelection, writeSelection } from './selection.js';

const TOKEN_KEY = 'evlog.token';

function byId<T extends Element = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as unknown as T;
}

function wholeNumber(value: string | null, fallback: number, min: number, max: number): number {
  const n = value === null ? NaN : Number(value);
  return Number.isSafeInteger(n) && n >= min ? Math.min(n, max) : fallback;
}

const query = new URLSearchParams(location.search);
// Browsers cap an element's height near 33 million pixels: a million 20 px rows stay under it.
const limit = wholeNumber(query.get('limit'), 5000, 1, 1_000_000);
const tail = wholeNumber(query.get('tail'), 100, 0, limit);

const ui = {
  state: byId('state'),
  file: byId('file'),
  filter: byId<HTMLInputElement>('filter'),
  ignoreCase: byId<HTMLInputElement>('ignore-case'),
  invert: byId<HTMLInputElement>('invert'),
  serverFilter: byId<HTMLInputElement>('server-filter'),
  hint: byId('filter-hint'),
  pause: byId<HTMLButtonElement>('pause'),
  clear: byId<HTMLButtonElement>('clear'),
  follow: byId<HTMLButtonElement>('follow'),
  counts: byId('counts'),
  waiting: byId('waiting'),
  tokenForm: byId<HTMLFormElement>('token-form'),
  token: byId<HTMLInputElement>('token'),
  scroller: byId('scroller'),
};

const clock = (): number => performance.timeOrigin + performance.now();
const rates = { event: new EventRates(), file: new EventRates() };
const chart = new RateChart(rates.event, { svg: byId<SVGSVGElement>('chart'), legend: byId('legend'), peak: byId('peak'), rate: byId('rate'), span: byId('span') });

function showStats(stats: LogStats): void {
  ui.counts.textContent = `${stats.shown.toLocaleString()} shown of ${stats.received.toLocaleString()} received (last ${limit.toLocaleString()} kept)`;
  ui.counts.dataset['shown'] = String(stats.shown);
  ui.counts.dataset['received'] = String(stats.received);
  ui.waiting.hidden = !stats.paused;
  ui.waiting.textContent = `paused: ${stats.waiting.toLocaleString()} new`;
  ui.waiting.dataset['count'] = String(stats.waiting);
  ui.follow.hidden = stats.following;
}

const detail = { panel: byId('detail'), meta: byId('detail-meta'), line: byId('detail-line') };

function showDetail(record: LiveRecord): void {
  detail.line.textContent = record.line;
  const fields = [record.file && `file ${record.file}`, record.session && `session ${record.session}`, record.event && `event ${record.event}`, record.truncated && 'truncated', `id ${record.id}`];
  detail.meta.textContent = fields.filter(Boolean).join(' · ');
  detail.panel.hidden = false;
}

byId('detail-close').addEventListener('click', () => (detail.panel.hidden = true));

const log = new LogView({ scroller: ui.scroller, spacer: byId('spacer'), list: byId('lines') }, limit, showStats, showDetail);

function showState(state: ConnectionState, detail?: string): void {
  ui.state.dataset['state'] = state;
  ui.state.textContent = detail ? `${state}: ${detail}` : state;
  ui.tokenForm.hidden = state !== 'unauthorized';
  if (state === 'unauthorized') ui.token.focus();
  if (state === 'live') void picker.refresh();
}

const token = query.get('token') ?? sessionStorage.getItem(TOKEN_KEY) ?? undefined;
const selected = readSelection(new URL(location.href));
log.setFiles(fileTest(selected));

const chartBy = byId<HTMLFieldSetElement>('chart-by');
const picker = new FilePicker(
  { root: byId<HTMLDetailsElement>('files'), summary: byId('files-summary'), all: byId<HTMLButtonElement>('files-all'), list: byId('files-list'), name: ui.file },
  selected,
  {
    load: () => fetchFiles(ui.token.value || token),
    onSelect: (files) => {
      history.replaceState(null, '', writeSelection(new URL(location.href), files));
      log.setFiles(fileTest(files));
      stream.setFiles(files);
    },
    onList: (many) => {
      log.setWithFiles(many);
      chartBy.hidden = !many;
    },
  },
);

function count(counts: EventRates, name: string | undefined, history: boolean, now: number): void {
  if (history) counts.addHistory(name);
  else counts.add(name, now);
}

const stream = new LiveStream({
  tail,
  token,
  files: selected,
  onRecords: (records, history) => {
    const now = clock();
    for (const record of records) {
      // A gap is a row to see, not a line that arrived: it counts in no rate or total.
      if (record.gap === undefined) {
        count(rates.event, record.event, history, now);
        count(rates.file, record.file, history, now);
      }
      picker.saw(record.file);
      log.add(record);
    }
  },
  onState: showState,
});

function chartPer(by: 'event' | 'file'): void {
  chart.show(rates[by], by, clock());
  const url = new URL(location.href);
  if (by === 'file') url.searchParams.set('chart', 'file');
  else url.searchParams.delete('chart');
  history.replaceState(null, '', url);
}

chartBy.addEventListener('change', (event) => chartPer((event.target as HTMLInputElement).value === 'file' ? 'file' : 'event'));

// Filter: applied in the page always; pushed to the server as well when asked.
let serverSpec: FilterSpec | undefined;

function readSpec(): FilterSpec {
  return { pattern: ui.filter.value, ignoreCase: ui.ignoreCase.checked, invert: ui.invert.checked };
}

function applyFilter(): void {
  const spec = readSpec();
  const compiled = compileFilter(spec);
  ui.filter.setAttribute('aria-invalid', String(!compiled.ok));
  ui.hint.textContent = compiled.ok ? '' : `invalid pattern: ${compiled.error}`;
  // A half-typed pattern keeps the last good filter in place.
  if (!compiled.ok) return;
  log.setFilter(compiled.filter);
  const wanted = ui.serverFilter.checked && spec.pattern !== '' ? spec : undefined;
  if (JSON.stringify(wanted) !== JSON.stringify(serverSpec)) {
    serverSpec = wanted;
    stream.setServerFilter(wanted);
  }
  const url = new URL(location.href);
  for (const [key, on] of [['ignore_case', spec.ignoreCase], ['invert', spec.invert], ['server', ui.serverFilter.checked]] as const) {
    if (on) url.searchParams.set(key, '1');
    else url.searchParams.delete(key);
  }
  if (spec.pattern) url.searchParams.set('match', spec.pattern);
  else url.searchParams.delete('match');
  history.replaceState(null, '', url);
}

let typing: ReturnType<typeof setTimeout> | undefined;
ui.filter.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(applyFilter, 120);
});
for (const box of [ui.ignoreCase, ui.invert, ui.serverFilter]) box.addEventListener('change', applyFilter);
byId<HTMLFormElement>('controls').addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(typing);
  applyFilter();
});

function togglePause(): void {
  log.setPaused(!log.paused);
  ui.pause.setAttribute('aria-pressed', String(log.paused));
  ui.pause.textContent = log.paused ? 'Resume' : 'Pause';
}

ui.pause.addEventListener('click', togglePause);
ui.clear.addEventListener('click', () => log.clear());
ui.follow.addEventListener('click', () => log.follow());

ui.tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, ui.token.value);
  stream.setToken(ui.token.value);
});

document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement;
  if (event.key === 'Escape' && target === ui.filter) {
    ui.filter.value = '';
    applyFilter();
    return;
  }
  if (event.key === 'Escape') detail.panel.hidden = true;
  if (target.closest('input, textarea, select, button') || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === '/') {
    event.preventDefault();
    ui.filter.focus();
  } else if (event.key === 'p') {
    togglePause();
  } else if (event.key === 'End') {
    log.follow();
  }
});

// Settings from the page URL, then go.
ui.filter.value = query.get('match') ?? '';
ui.ignoreCase.checked = query.get('ignore_case') === '1';
ui.invert.checked = query.get('invert') === '1';
ui.serverFilter.checked = query.get('server') === '1';
applyFilter();
if (query.get('chart') === 'file') {
  byId<HTMLInputElement>('chart-by-file').checked = true;
  chartPer('file');
}
stream.start();
void picker.refresh();
setInterval(() => chart.draw(clock()), 1000);
chart.draw(clock());
