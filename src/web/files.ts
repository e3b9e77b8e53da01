/**
 * The file picker: the server's channels (`GET /files`), several selectable at once, each in the
 * colour its lines have. The list is fetched again every few seconds and at once when a line names a
 * file it does not hold, so files that come to match a glob show up. It opens over the page rather
 * than pushing it down: files coming and going move nothing else.
 */
import { hashHue } from './colour.js';
import { fileTest, isGlob } from './selection.js';

export interface FileEntry {
  file: string;
  size: number;
}

export interface FilePickerOptions {
  load(): Promise<FileEntry[] | undefined>;
  /** The user chose files: these names or globs, none meaning all. */
  onSelect(selected: string[]): void;
  /** The list changed: `many` is whether the page has files to tell apart. */
  onList(many: boolean): void;
}

export interface FilePickerElements {
  root: HTMLDetailsElement;
  /** Says what is shown, in the picker's closed state. */
  summary: HTMLElement;
  all: HTMLButtonElement;
  list: HTMLElement;
  /** The one file's name, when there is one: no picker then. */
  name: HTMLElement;
}

const REFRESH_MS = 5000;
/** A line naming a file the list lacks asks again, but not sooner than this after the last answer. */
const MIN_GAP_MS = 1000;

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  for (; value >= 1024 && unit < units.length - 1; unit++) value /= 1024;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

interface Item {
  li: HTMLLIElement;
  box: HTMLInputElement;
  size: HTMLElement;
}

export class FilePicker {
  readonly #el: FilePickerElements;
  readonly #options: FilePickerOptions;
  #files: FileEntry[] = [];
  #selected: string[];
  /** Kept between renders and only touched where something changed: a server may have thousands of files. */
  #items = new Map<string, Item>();
  #loading: Promise<void> | undefined;
  #lastLoad = 0;
  /** A line named a file the list lacks: look again soon. */
  #wanted = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(elements: FilePickerElements, selected: string[], options: FilePickerOptions) {
    this.#el = elements;
    this.#selected = selected;
    this.#options = options;
    elements.all.addEventListener('click', () => this.#select([]));
    elements.list.addEventListener('change', (event) => this.#toggle(event.target as HTMLInputElement));
    elements.list.addEventListener('click', (event) => {
      const only = (event.target as Element).closest<HTMLButtonElement>('button.only');
      if (only?.value) this.#select([only.value]);
    });
    // A click elsewhere closes the picker, as a menu closes.
    document.addEventListener('click', (event) => {
      if (elements.root.open && !elements.root.contains(event.target as Node)) elements.root.open = false;
    });
    elements.root.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !elements.root.open) return;
      elements.root.open = false;
      elements.root.querySelector('summary')?.focus();
    });
    this.#render();
    this.#schedule();
  }

  /** Several files served (or a selection to undo): the file column and the picker are shown. */
  get many(): boolean {
    return this.#files.length > 1 || this.#selected.length > 0;
  }

  /** A record named `file`: fetch the list again if it is new to us. */
  saw(file: string | undefined): void {
    if (file === undefined || this.#wanted || this.#items.has(file)) return;
    this.#wanted = true;
    // A load under way may have been asked before the file came: the next one follows it.
    if (this.#loading === undefined) this.#schedule();
  }

  refresh(): Promise<void> {
    if (this.#loading !== undefined) return this.#loading;
    this.#wanted = false;
    clearTimeout(this.#timer);
    this.#loading = this.#options
      .load()
      .then((files) => {
        if (files === undefined) return;
        this.#files = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
        this.#render();
      })
      .finally(() => {
        this.#lastLoad = performance.now();
        this.#loading = undefined;
        this.#schedule();
      });
    return this.#loading;
  }

  /**
   * The next look at the list: soon when a line named a file it lacks (but not more often than
   * MIN_GAP_MS), else every few seconds, less often for a long list (its JSON is large).
   */
  #schedule(): void {
    clearTimeout(this.#timer);
    const delay = this.#wanted ? this.#lastLoad + MIN_GAP_MS - performance.now() : REFRESH_MS + this.#files.length;
    this.#timer = setTimeout(() => void this.refresh(), Math.max(0, delay));
  }

  #toggle(box: HTMLInputElement): void {
    if (box.type !== 'checkbox') return;
    let next = [...this.#el.list.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
    // Unticking the last file would show nothing: keep it.
    if (next.length === 0) {
      box.checked = true;
      return;
    }
    // Every served file ticked is "every file", which also takes in the files still to come.
    const ticked = new Set(next);
    if (next.length === this.#files.length && this.#files.every((f) => ticked.has(f.file))) next = [];
    this.#select(next);
  }

  #select(selected: string[]): void {
    if (JSON.stringify(selected) === JSON.stringify(this.#selected)) return this.#render();
    this.#selected = selected;
    this.#render();
    this.#options.onSelect(selected);
  }

  /** The files served, then what the selection names that they do not (a glob, a file gone). */
  #names(): string[] {
    const served = this.#files.map((f) => f.file);
    const known = new Set(served);
    return [...served, ...this.#selected.filter((s) => !known.has(s))];
  }

  #render(): void {
    const { root, summary, all, list, name } = this.#el;
    const many = this.many;
    root.hidden = !many;
    document.body.dataset['files'] = many ? 'many' : 'one';
    const only = this.#files.length === 1 ? this.#files[0]!.file : '';
    name.textContent = many ? '' : only;
    document.title = many ? `evlog: ${this.#files.length} files` : only ? `evlog: ${only}` : 'evlog';

    const count = this.#files.length;
    summary.textContent =
      this.#selected.length === 0 ? `all ${count} files` : this.#selected.length === 1 ? this.#selected[0]! : `${this.#selected.length} of ${count} files`;
    all.setAttribute('aria-pressed', String(this.#selected.length === 0));

    const shown = fileTest(this.#selected);
    const sizes = new Map(this.#files.map((f) => [f.file, f.size]));
    const items = new Map<string, Item>();
    for (const file of this.#names()) {
      const item = this.#items.get(file) ?? this.#item(file);
      const size = sizes.get(file);
      const text = size !== undefined ? formatSize(size) : isGlob(file) ? this.#matches(file) : 'not served';
      const checked = shown(file);
      if (item.box.checked !== checked) item.box.checked = checked;
      if (item.size.textContent !== text) item.size.textContent = text;
      items.set(file, item);
    }
    // Items kept are moved, not rebuilt, so the box that has the focus keeps it.
    for (const [file, item] of this.#items) if (!items.has(file)) item.li.remove();
    let cursor = list.firstElementChild;
    for (const { li } of items.values()) {
      if (li === cursor) cursor = cursor.nextElementSibling;
      else list.insertBefore(li, cursor);
    }
    this.#items = items;
    this.#options.onList(many);
  }

  /** What a glob in the selection stands for, among the files served. */
  #matches(glob: string): string {
    const test = fileTest([glob]);
    const n = this.#files.reduce((sum, f) => sum + (test(f.file) ? 1 : 0), 0);
    return n === 1 ? '1 file' : `${n} files`;
  }

  #item(file: string): Item {
    const item = document.createElement('li');
    item.style.setProperty('--file-hue', String(hashHue(file)));
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = file;
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    const title = document.createElement('span');
    title.className = 'name';
    // Cut at its start when too long, as in the rows: the end of a path tells files apart.
    const bdi = document.createElement('bdi');
    bdi.textContent = file;
    title.append(bdi);
    const size = document.createElement('span');
    size.className = 'size';
    // The size stays out of the label: a box is called by its file's name alone.
    label.append(box, swatch, title);
    const only = document.createElement('button');
    only.type = 'button';
    only.className = 'only';
    only.value = file;
    only.textContent = 'only';
    only.setAttribute('aria-label', `only ${file}`);
    item.append(label, size, only);
    return { li: item, box, size };
  }
}

/** `GET /files`, or undefined when it cannot be had (the token is wrong, the server is away). */
export async function fetchFiles(token: string | undefined): Promise<FileEntry[] | undefined> {
  const params = new URLSearchParams();
  if (token) params.set('token', token);
  try {
    const response = await fetch(`files?${params}`);
    if (!response.ok) return undefined;
    const list = (await response.json()) as unknown;
    if (!Array.isArray(list)) return undefined;
    return (list as Array<Partial<FileEntry> | null>).filter(
      (f): f is FileEntry => typeof f?.file === 'string' && typeof f.size === 'number',
    );
  } catch {
    return undefined;
  }
}
