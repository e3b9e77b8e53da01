/**
 * The scrolling list of lines, virtual: it keeps up to `limit` matching records, but the DOM only
 * holds the rows in view (plus a few either side). Every row has the same height, so a spacer of
 * `count × height` gives the scroll bar its true size and a row's position is arithmetic. Laying out
 * a row costs Chromium tens of microseconds, which at 10,000 lines/s would take the whole main
 * thread; this way the work per frame is a screenful, whatever the rate.
 */
import { passAll, type LineFilter } from './filter.js';
import type { LiveRecord } from './record.js';
import { Ring } from './ring.js';
import { renderRow } from './row.js';
import type { FileTest } from './selection.js';

export interface LogStats {
  received: number;
  /** Records in the view (what scrolling can reach), not DOM rows. */
  shown: number;
  paused: boolean;
  /** Matching lines that arrived while paused. */
  waiting: number;
  following: boolean;
}

export interface LogViewElements {
  scroller: HTMLElement;
  /** Sized to the whole view, so the scroll bar is right. */
  spacer: HTMLElement;
  /** Holds the rows in view; moved down to where they belong. */
  list: HTMLElement;
}

/** How close to the bottom still counts as "at the bottom" (sub-pixel scroll positions). */
const BOTTOM_SLACK_PX = 8;
/** Rows drawn beyond each edge of the viewport, so a small scroll shows no blank strip. */
const OVERSCAN = 10;

export class LogView {
  readonly #el: LogViewElements;
  readonly #onStats: (stats: LogStats) => void;
  readonly #onSelect: (record: LiveRecord) => void;
  /** Recent records whatever the filter, to rebuild the view from when the filter changes. */
  readonly #recent: Ring<LiveRecord>;
  /** Matching records, oldest first: what the list shows. */
  readonly #view: Ring<LiveRecord>;
  /** Matching records that arrived while paused. */
  readonly #held: Ring<LiveRecord>;
  #filter: LineFilter = passAll;
  #files: FileTest = () => true;
  #withFiles = false;
  #rowHeight = 0;
  /** Records that left the front of the view since the last frame: the reader's lines moved up. */
  #dropped = 0;
  #rows = new Map<LiveRecord, HTMLElement>();
  readonly #recordOf = new WeakMap<Element, LiveRecord>();
  #received = 0;
  #paused = false;
  #waiting = 0;
  #following = true;
  /** Where we last scrolled to: a scroll above it is the user's, anything else is layout. */
  #pinnedTop = 0;
  #frame = 0;

  constructor(elements: LogViewElements, limit: number, onStats: (stats: LogStats) => void, onSelect: (record: LiveRecord) => void) {
    this.#el = elements;
    this.#onStats = onStats;
    this.#onSelect = onSelect;
    this.#recent = new Ring(limit);
    this.#view = new Ring(limit);
    this.#held = new Ring(limit);
    elements.scroller.addEventListener('scroll', () => this.#onScroll(), { passive: true });
    elements.list.addEventListener('click', (event) => {
      const row = (event.target as Element).closest('.row');
      const record = row ? this.#recordOf.get(row) : undefined;
      if (record) this.#onSelect(record);
    });
    new ResizeObserver(() => this.#schedule()).observe(elements.scroller);
  }

  get limit(): number {
    return this.#view.capacity;
  }

  get paused(): boolean {
    return this.#paused;
  }

  add(record: LiveRecord): void {
    this.#received++;
    this.#recent.push(record);
    if (!this.#passes(record)) return;
    if (this.#paused) {
      this.#held.push(record);
      this.#waiting++;
    } else {
      this.#show(record);
    }
    this.#schedule();
  }

  setFilter(filter: LineFilter): void {
    this.#filter = filter;
    this.#refilter();
  }

  /** Only the lines of these files; the others' lines still kept come back when they are chosen again. */
  setFiles(files: FileTest): void {
    this.#files = files;
    this.#refilter();
  }

  /** Whether rows show their file (the server has several). */
  setWithFiles(withFiles: boolean): void {
    if (withFiles === this.#withFiles) return;
    this.#withFiles = withFiles;
    this.#redraw();
  }

  #passes(record: LiveRecord): boolean {
    // A gap is shown whatever the filter: it may have held lines that would have matched.
    return this.#files(record.file) && (record.gap !== undefined || this.#filter.test(record.line));
  }

  #refilter(): void {
    this.#view.clear();
    this.#held.clear();
    this.#waiting = 0;
    for (const record of this.#recent) if (this.#passes(record)) this.#view.push(record);
    this.#redraw();
  }

  clear(): void {
    this.#recent.clear();
    this.#view.clear();
    this.#held.clear();
    this.#waiting = 0;
    this.#redraw();
  }

  setPaused(paused: boolean): void {
    if (!paused) for (const record of this.#held.drain()) this.#show(record);
    this.#paused = paused;
    this.#waiting = 0;
    this.#schedule();
  }

  /** Scroll to the newest line and keep following. */
  follow(): void {
    this.#following = true;
    this.#schedule();
  }

  #show(record: LiveRecord): void {
    if (this.#view.push(record) !== undefined) this.#dropped++;
  }

  /** Rows must be drawn anew (the filter, and so the highlights, changed). */
  #redraw(): void {
    this.#rows.clear();
    this.#el.list.replaceChildren();
    this.#dropped = 0;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.#render());
  }

  #render(): void {
    this.#frame = 0;
    const { scroller, spacer, list } = this.#el;
    const height = this.#measureRow();
    const count = this.#view.size;
    spacer.style.height = `${count * height}px`;
    if (this.#following) {
      scroller.scrollTop = scroller.scrollHeight;
      this.#pinnedTop = scroller.scrollTop;
    } else if (this.#dropped > 0) {
      // Keep the lines being read where they are while older ones leave the top.
      scroller.scrollTop -= this.#dropped * height;
    }
    this.#dropped = 0;

    const first = Math.max(0, Math.floor(scroller.scrollTop / height) - OVERSCAN);
    const end = Math.min(count, Math.ceil((scroller.scrollTop + scroller.clientHeight) / height) + OVERSCAN);
    const rows = new Map<LiveRecord, HTMLElement>();
    for (let i = first; i < end; i++) {
      const record = this.#view.at(i)!;
      let row = this.#rows.get(record);
      if (row === undefined) {
        row = renderRow(record, this.#filter, this.#withFiles);
        this.#recordOf.set(row, record);
      }
      rows.set(record, row);
    }
    // Rows still in view stay in the DOM untouched: re-inserting them would lay them out again.
    for (const [record, row] of this.#rows) if (!rows.has(record)) row.remove();
    let cursor = list.firstElementChild;
    for (const row of rows.values()) {
      if (row === cursor) cursor = cursor.nextElementSibling;
      else list.insertBefore(row, cursor);
    }
    this.#rows = rows;
    list.style.transform = `translateY(${first * height}px)`;

    this.#onStats({ received: this.#received, shown: count, paused: this.#paused, waiting: this.#waiting, following: this.#following });
  }

  /** The row height comes from the style sheet; measured once, with a row that is not shown. */
  #measureRow(): number {
    if (this.#rowHeight > 0) return this.#rowHeight;
    const probe = renderRow({ id: '', line: 'x' }, passAll);
    probe.style.visibility = 'hidden';
    this.#el.list.append(probe);
    this.#rowHeight = probe.getBoundingClientRect().height || 20;
    probe.remove();
    return this.#rowHeight;
  }

  #onScroll(): void {
    const { scrollTop, scrollHeight, clientHeight } = this.#el.scroller;
    const atBottom = scrollHeight - scrollTop - clientHeight <= BOTTOM_SLACK_PX;
    // Rows arriving or the footer changing size must not stop following; only moving up does.
    const following = atBottom || (this.#following && scrollTop >= this.#pinnedTop - BOTTOM_SLACK_PX);
    if (following !== this.#following) {
      this.#following = following;
      if (following) this.#pinnedTop = scrollTop;
    }
    this.#schedule();
  }
}
