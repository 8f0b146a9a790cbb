// Live line charts over uPlot (served by the head from node_modules). x is the campaign's
// elapsed time in seconds; each series is one number of the `metrics` event.
import uPlot from './vendor/uPlot.esm.js';
import { h } from './dom.js';
import { clock } from './format.js';

const HEIGHT = 200;
/** Redraws are coalesced: a late client replaying a long campaign gets hundreds of events at once. */
const REDRAW_MS = 100;

export class LiveChart {
  /**
   * @param {{ id: string, title: string, unit: (v: number) => string, series: { label: string, color: string }[] }} spec
   */
  constructor(spec) {
    this.spec = spec;
    this.data = [[], ...spec.series.map(() => [])];
    this.timer = null;
    this.plot = null;
    this.body = h('div', { class: 'chart-body' });
    this.element = h('figure', { id: spec.id, class: 'chart', data: { points: 0 } }, h('figcaption', {}, spec.title), this.body);
    this.resizer = new ResizeObserver(() => this.resize());
  }

  /** Draws once the figure is in the document (uPlot needs its width). */
  mount() {
    const width = Math.max(280, this.body.clientWidth);
    const unit = this.spec.unit;
    this.plot = new uPlot(
      {
        width,
        height: HEIGHT,
        scales: { x: { time: false } },
        series: [
          { label: 'elapsed', value: (_u, v) => (v === null || v === undefined ? '—' : clock(v)) },
          ...this.spec.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: false }, value: (_u, v) => (v === null || v === undefined ? '—' : unit(v)) })),
        ],
        axes: [
          { values: (_u, splits) => splits.map((v) => clock(v)) },
          { size: 64, values: (_u, splits) => splits.map((v) => unit(v)) },
        ],
        legend: { live: true },
      },
      this.data,
      this.body,
    );
    this.resizer.observe(this.body);
  }

  /** Adds one point per series at `x` (seconds since the start). */
  push(x, values) {
    this.data[0].push(x);
    values.forEach((v, i) => this.data[i + 1].push(v));
    if (!this.timer) this.timer = setTimeout(() => this.redraw(), REDRAW_MS);
  }

  get points() {
    return this.data[0].length;
  }

  redraw() {
    this.timer = null;
    if (!this.plot) return;
    this.plot.setData(this.data);
    this.element.dataset.points = String(this.points);
  }

  resize() {
    if (!this.plot) return;
    const width = Math.max(280, this.body.clientWidth);
    if (width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
  }

  destroy() {
    clearTimeout(this.timer);
    this.resizer.disconnect();
    this.plot?.destroy();
  }
}
