/**
 * The live picture: lines per second over the last minutes, one line per busiest event name (or
 * file: `show()` switches what it counts by), in a small SVG, and totals per name beside it.
 * Redrawn once a second, not per event.
 */
import { hashHue } from './colour.js';
import { NO_NAME, type EventRates } from './rates.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Lines drawn; every name still gets its total in the legend. */
const SERIES = 6;
const LEGEND = 12;
const HEIGHT = 100;
/** The x axis grows with the page's age up to the full window, so a new page is not a flat line. */
const MIN_SPAN_SECONDS = 30;

/** An event name's colour; ordinary lines, not events, in the muted colour of the page. */
function paint(element: SVGElement | HTMLElement, name: string): void {
  if (name === NO_NAME) element.classList.add('plain');
  else element.style.setProperty('--hue', String(hashHue(name)));
}

export class RateChart {
  #rates: EventRates;
  readonly #svg: SVGSVGElement;
  readonly #legend: HTMLElement;
  readonly #peak: HTMLElement;
  readonly #rate: HTMLElement;
  readonly #span: HTMLElement;
  #startedMs: number | undefined;

  constructor(
    rates: EventRates,
    elements: { svg: SVGSVGElement; legend: HTMLElement; peak: HTMLElement; rate: HTMLElement; span: HTMLElement },
  ) {
    this.#rates = rates;
    this.#svg = elements.svg;
    this.#legend = elements.legend;
    this.#peak = elements.peak;
    this.#rate = elements.rate;
    this.#span = elements.span;
    this.#svg.setAttribute('preserveAspectRatio', 'none');
  }

  /** Chart these counts from now on; `by` names what they are counted by, for assistive technology. */
  show(rates: EventRates, by: string, nowMs: number): void {
    this.#rates = rates;
    this.#svg.setAttribute('aria-label', `Lines per second per ${by}, up to the last five minutes`);
    this.#legend.setAttribute('aria-label', `Totals per ${by}`);
    this.draw(nowMs);
  }

  draw(nowMs: number): void {
    this.#startedMs ??= nowMs;
    const age = Math.ceil((nowMs - this.#startedMs) / 1000);
    const span = Math.min(this.#rates.windowSeconds, Math.max(MIN_SPAN_SECONDS, age));
    this.#svg.setAttribute('viewBox', `0 0 ${span - 1} ${HEIGHT}`);
    this.#span.textContent = span >= 120 ? `last ${Math.round(span / 60)} min` : `last ${span} s`;

    const totals = this.#rates.totals();
    const series = totals.slice(0, SERIES).map(([name]) => ({ name, counts: this.#rates.series(name, nowMs).slice(-span) }));
    const peak = Math.max(1, ...series.flatMap((s) => s.counts));
    this.#svg.replaceChildren(
      ...series.map(({ name, counts }) => {
        const line = document.createElementNS(SVG, 'polyline');
        line.setAttribute('points', counts.map((c, x) => `${x},${(HEIGHT - (c / peak) * (HEIGHT - 4)).toFixed(1)}`).join(' '));
        paint(line, name);
        const title = document.createElementNS(SVG, 'title');
        title.textContent = name;
        line.append(title);
        return line;
      }),
    );
    this.#peak.textContent = `${peak.toLocaleString()}/s`;

    const perSecond = this.#rates.lastSecond(nowMs);
    this.#rate.textContent = `${perSecond.toLocaleString()} lines/s`;
    this.#rate.dataset['rate'] = String(perSecond);
    // When the picture was last drawn: a test (or a curious user) can tell what it covers.
    this.#svg.dataset['drawnAt'] = String(Math.round(nowMs));

    this.#legend.replaceChildren(
      ...totals.slice(0, LEGEND).map(([name, total]) => {
        const item = document.createElement('li');
        paint(item, name);
        const label = document.createElement('span');
        label.className = 'name';
        label.textContent = name;
        const count = document.createElement('span');
        count.className = 'total';
        count.textContent = total.toLocaleString();
        item.append(label, count);
        return item;
      }),
    );
  }
}
