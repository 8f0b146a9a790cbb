/**
 * A small, pure time-series line chart rendered to an SVG string on the server, so a report
 * page needs no script and no network to show it. Linear scales, a y axis with round ticks,
 * an x axis labelled with the time elapsed since `origin`, several series (a gap where a
 * value or an interval is missing), optional area fill, and shaded bands over time ranges.
 *
 * Every number written into the SVG is checked to be finite: a series of NaN, an empty
 * series or a single point never produce an invalid path. Nothing here reads a clock or the
 * environment; the same input always gives the same string.
 */

export interface ChartSeries {
  /** Shown in the legend and the hover tooltip. */
  label: string;
  /** Any CSS colour. */
  color: string;
  /** One value per entry of `LineChartInput.times`; null (or a non-finite number) is a gap. */
  values: readonly (number | null)[];
  /** Fill the area under the line with a light tint of `color`. */
  area?: boolean;
  /** Stroke width in SVG units (default 1.75). */
  strokeWidth?: number;
}

/** A time range to shade, in epoch milliseconds. */
export interface ChartBand {
  start: number;
  end: number;
}

export interface LineChartInput {
  /** Used for the SVG's accessible name. */
  title: string;
  /** The start of each interval, epoch ms, ascending. */
  times: readonly number[];
  /** The width of one interval in ms; inferred from `times` when absent. */
  intervalMs?: number;
  series: readonly ChartSeries[];
  bands?: readonly ChartBand[];
  /** What a band means, appended to the tooltip of a point inside one. */
  bandLabel?: string;
  /** Formats y values (ticks and tooltips); default `compactNumber`. */
  format?: (v: number) => string;
  /** Elapsed time on the x axis is counted from here (default: the first interval's start). */
  origin?: number;
  /** SVG user units; the SVG scales to the width of its container. */
  width?: number;
  height?: number;
  /** The values are counts: y ticks are whole numbers. */
  integer?: boolean;
  /** Extra class names on the `<svg>`. */
  className?: string;
}

/** Escapes text for HTML element content and attribute values (both quote kinds). */
export function escapeHtml(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** 0.5, 12, 1.2k, 34k, 1.5M: short labels for ticks. */
export function compactNumber(v: number): string {
  if (!isNum(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9)}G`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100 || a === 0) return String(Math.round(v));
  if (a >= 10) return trim(v, 1);
  return trim(v, 2);
}

function trim(v: number, digits = 1): string {
  return String(Number(v.toFixed(digits)));
}

/** Round tick values from 0 (or below, for negative data) up to at least `max`; whole steps for counts. */
export function niceTicks(min: number, max: number, target = 5, integer = false): number[] {
  let lo = isNum(min) ? Math.min(0, min) : 0;
  let hi = isNum(max) ? max : 1;
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / Math.max(1, target - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  let step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 && !(integer && mag === 1) ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  if (integer) step = Math.max(1, Math.round(step));
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo, i = 0; v <= hi + step / 2 && i < 50; i++, v = lo + i * step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** A tick step (seconds) that puts at most `maxTicks` ticks over `spanS` seconds. */
export function timeStep(spanS: number, maxTicks = 8): number {
  for (const s of TIME_STEPS_S) if (spanS / s <= maxTicks) return s;
  return Math.ceil(spanS / maxTicks / 86400) * 86400;
}

/** Elapsed time: 0:45, 12:30, 1:05:00. */
export function formatElapsed(totalS: number): string {
  const s = Math.max(0, Math.round(totalS));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The interval width: the smallest positive gap between consecutive times (1 s for one point). */
export function inferIntervalMs(times: readonly number[]): number {
  let best = Infinity;
  for (let i = 1; i < times.length; i++) {
    const d = times[i] - times[i - 1];
    if (d > 0 && d < best) best = d;
  }
  return isNum(best) ? best : 1000;
}

/** Merges flagged intervals into bands: consecutive flagged intervals make one band. */
export function bandsFromFlags(times: readonly number[], flags: readonly boolean[], intervalMs = inferIntervalMs(times)): ChartBand[] {
  const bands: ChartBand[] = [];
  for (let i = 0; i < times.length; i++) {
    if (!flags[i] || !isNum(times[i])) continue;
    const start = times[i];
    const end = start + intervalMs;
    const last = bands[bands.length - 1];
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else bands.push({ start, end });
  }
  return bands;
}

const M = { top: 14, right: 18, bottom: 34, left: 62 };
const MAX_HOVER_POINTS = 1500;
const f1 = (v: number) => (Math.round(v * 10) / 10).toString();
const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * Keeps a long line small without changing how it looks (M4): per unit-wide column, the
 * first, lowest, highest and last point, in order. A spike of one interval is never lost.
 */
export function decimate(pts: readonly [number, number][]): [number, number][] {
  if (pts.length <= 4 * Math.max(1, pts[pts.length - 1][0] - pts[0][0])) return pts.slice();
  const out: [number, number][] = [];
  let i = 0;
  while (i < pts.length) {
    const col = Math.floor(pts[i][0]);
    let j = i;
    let lo = i;
    let hi = i;
    while (j + 1 < pts.length && Math.floor(pts[j + 1][0]) === col) {
      j++;
      if (pts[j][1] < pts[lo][1]) lo = j;
      if (pts[j][1] > pts[hi][1]) hi = j;
    }
    for (const k of [...new Set([i, Math.min(lo, hi), Math.max(lo, hi), j])]) out.push(pts[k]);
    i = j + 1;
  }
  return out;
}

/** The chart as one `<svg>` element. With no times it draws the frame and "No data". */
export function lineChart(input: LineChartInput): string {
  const W = input.width ?? 1000;
  const H = input.height ?? 240;
  const format = input.format ?? compactNumber;
  // Intervals with an unusable time are dropped together with their values.
  const keep = input.times.map((t, i) => (isNum(t) ? i : -1)).filter((i) => i >= 0);
  const times = keep.map((i) => input.times[i]);
  const series = input.series.map((s) => ({ ...s, values: keep.map((i) => s.values[i] ?? null) }));
  const cls = ['chart', input.className].filter(Boolean).join(' ');
  const head = (extra: string) =>
    `<svg class="${escapeHtml(cls)}${extra}" viewBox="0 0 ${W} ${H}" preserveAspectRatio="xMidYMid meet" role="img" aria-label="${escapeHtml(input.title)}" xmlns="http://www.w3.org/2000/svg">`;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;

  if (times.length === 0) {
    return (
      head(' chart-empty') +
      `<title>${escapeHtml(input.title)}: no data</title>` +
      `<rect class="plot-bg" x="${M.left}" y="${M.top}" width="${pw}" height="${ph}"/>` +
      `<text class="no-data" x="${M.left + pw / 2}" y="${M.top + ph / 2}" text-anchor="middle" dominant-baseline="middle">No data</text></svg>`
    );
  }

  const interval = input.intervalMs && input.intervalMs > 0 ? input.intervalMs : inferIntervalMs(times);
  const origin = isNum(input.origin) ? input.origin : times[0];
  const x0 = Math.min(times[0], origin);
  const x1 = times[times.length - 1] + interval;
  const sx = (t: number) => M.left + ((t - x0) / (x1 - x0)) * pw;

  let lo = 0;
  let hi = 0;
  for (const s of series)
    for (const v of s.values)
      if (isNum(v)) {
        if (v > hi) hi = v;
        if (v < lo) lo = v;
      }
  const yTicks = niceTicks(lo, hi, 5, input.integer);
  const y0 = yTicks[0];
  const y1 = yTicks[yTicks.length - 1];
  const sy = (v: number) => M.top + ph - ((v - y0) / (y1 - y0)) * ph;
  const mid = (t: number) => t + interval / 2;

  const out: string[] = [head(''), `<title>${escapeHtml(input.title)}</title>`];
  out.push(`<rect class="plot-bg" x="${M.left}" y="${M.top}" width="${pw}" height="${ph}"/>`);

  // Bands first, under the grid and the lines.
  const bands = (input.bands ?? []).filter((b) => isNum(b.start) && isNum(b.end) && b.end > b.start);
  if (bands.length) {
    out.push('<g class="bands">');
    for (const b of bands) {
      const a = Math.max(M.left, sx(b.start));
      const z = Math.min(M.left + pw, sx(b.end));
      if (z <= a) continue;
      out.push(`<rect class="band" x="${f1(a)}" y="${M.top}" width="${f1(Math.max(1, z - a))}" height="${ph}"/>`);
      out.push(`<rect class="band-edge" x="${f1(a)}" y="${M.top}" width="${f1(Math.max(1, z - a))}" height="3"/>`);
    }
    out.push('</g>');
  }

  // Y grid and labels.
  out.push('<g class="axis y-axis">');
  for (const v of yTicks) {
    const y = f1(sy(v));
    out.push(`<line class="${v === 0 ? 'baseline' : 'grid'}" x1="${M.left}" x2="${M.left + pw}" y1="${y}" y2="${y}"/>`);
    out.push(`<text x="${M.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(format(v))}</text>`);
  }
  out.push('</g>');

  // X ticks: elapsed time since the origin, on round steps.
  const spanS = (x1 - origin) / 1000;
  const stepS = timeStep(Math.max(1, spanS));
  out.push('<g class="axis x-axis">');
  const firstTick = Math.ceil((x0 - origin) / 1000 / stepS) * stepS;
  for (let s = firstTick, i = 0; origin + s * 1000 <= x1 + 1e-6 && i < 200; i++, s = firstTick + i * stepS) {
    const x = f1(sx(origin + s * 1000));
    out.push(`<line class="tick" x1="${x}" x2="${x}" y1="${M.top + ph}" y2="${M.top + ph + 5}"/>`);
    const anchor = Number(x) > M.left + pw - 20 ? 'end' : 'middle';
    out.push(`<text x="${x}" y="${M.top + ph + 19}" text-anchor="${anchor}">${formatElapsed(s)}</text>`);
  }
  out.push('</g>');

  // Series: runs of consecutive values with no missing interval between them.
  out.push('<g class="series">');
  series.forEach((s, si) => {
    const runs: [number, number][][] = [];
    let run: [number, number][] = [];
    for (let i = 0; i < times.length; i++) {
      const v = s.values[i];
      const gap = i > 0 && times[i] - times[i - 1] > interval * 1.5;
      if (!isNum(v) || gap) {
        if (run.length) runs.push(run);
        run = [];
      }
      if (isNum(v)) run.push([sx(mid(times[i])), sy(v)]);
    }
    if (run.length) runs.push(run);
    const width = s.strokeWidth ?? 1.75;
    const half = ((sx(x0 + interval) - sx(x0)) / 2) * 0.9;
    for (const r of runs) {
      // A lone point is drawn as a short level segment across its interval, plus a dot.
      const pts = r.length === 1 ? [[r[0][0] - half, r[0][1]] as [number, number], [r[0][0] + half, r[0][1]] as [number, number]] : decimate(r);
      const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${f1(x)} ${f1(y)}`).join('');
      if (s.area) {
        const base = f1(sy(Math.max(y0, 0)));
        out.push(`<path class="area" d="${d}L${f1(pts[pts.length - 1][0])} ${base}L${f1(pts[0][0])} ${base}Z" fill="${escapeHtml(s.color)}" fill-opacity="0.12" stroke="none"/>`);
      }
      out.push(`<path class="line s${si}" d="${d}" fill="none" stroke="${escapeHtml(s.color)}" stroke-width="${width}" stroke-linejoin="round" stroke-linecap="round"/>`);
      if (r.length === 1) out.push(`<circle cx="${f1(r[0][0])}" cy="${f1(r[0][1])}" r="3" fill="${escapeHtml(s.color)}"/>`);
    }
  });
  out.push('</g>');

  // Hover: a rule moved by the page's script, and per point the lines of its tooltip.
  const stride = Math.max(1, Math.ceil(times.length / MAX_HOVER_POINTS));
  const hover: { x: number; l: string[] }[] = [];
  for (let i = 0; i < times.length; i += stride) {
    const t = times[i];
    const lines = [`${formatElapsed((t - origin) / 1000)}  ·  ${clockTime(t)} UTC`];
    for (const s of series) {
      const v = s.values[i];
      lines.push(`${s.label}: ${isNum(v) ? format(v) : '–'}`);
    }
    if (input.bandLabel && bands.some((b) => t >= b.start && t < b.end)) lines.push(input.bandLabel);
    hover.push({ x: Number(f1(sx(mid(t)))), l: lines });
  }
  out.push(`<line class="hover-rule" x1="0" x2="0" y1="${M.top}" y2="${M.top + ph}" visibility="hidden"/>`);
  out.push(`<rect class="hover-area" x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="transparent" data-points="${escapeHtml(JSON.stringify(hover))}"/>`);
  out.push('</svg>');
  return out.join('');
}
