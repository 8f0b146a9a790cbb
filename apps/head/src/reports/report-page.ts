/**
 * The campaign report as one self-contained HTML page (`GET /campaigns/{key}/report.html`).
 *
 * Pure: data in, string out. The page loads nothing: styles are inline, charts are SVG drawn
 * here, and the only script (hover tooltips, optional) is inline and pinned by hash in the
 * page's Content-Security-Policy, which also forbids every fetch, so an escaping mistake
 * could not pull anything in either. Every string that came from a user (names, steps,
 * zones, expressions, request lines, error messages, configuration) is HTML-escaped, and
 * every number goes through a formatter that prints "—" for anything not finite.
 */
import { createHash } from 'node:crypto';
import type { LatencySummary } from '@barrage/metrics';
import { bandsFromFlags, escapeHtml as esc, formatElapsed, inferIntervalMs, lineChart, type ChartSeries } from './svg-chart.js';

/** Latency figures, in milliseconds (libs/metrics' summary of a merged histogram). */
export type LatencyNumbers = LatencySummary;

/** The numbers of one resource: a step, or a step in one zone. */
export interface ResourceNumbers {
  requests: number;
  failures: number;
  errorRate: number;
  avgRps: number;
  peakRps: number;
  latency: LatencyNumbers;
}

export interface ReportPageData {
  report: {
    metadata: {
      key: string;
      name: string;
      status: string;
      result: string | null;
      failureReason: string | null;
      createdAt: string;
      startedAt: string | null;
      endedAt: string | null;
      configuration: Record<string, unknown>;
    };
    summary: {
      requests: number;
      failures: number;
      errorRate: number;
      durationSeconds: number;
      avgRps: number;
      peakRps: number;
      peakMinions: number;
      minionsStarted: number;
      iterations: number;
      droppedIterations: number;
      bytes: { in: number; out: number };
    };
    latency: LatencyNumbers;
    serviceTime: LatencyNumbers;
    statusCodes: Record<string, number>;
    errors: { byKind: Record<string, number>; byCheck: Record<string, number> };
    /** Averages, ms. */
    timingBreakdown: { connectMs: number; tlsMs: number; firstByteMs: number; downloadMs: number };
    generator: { saturated: boolean; saturatedIntervals: number; maxEventLoopLagMs: number; maxSendLatenessMs: number };
    rateControl: { scenario: string; targetIterations: number; startedIterations: number; droppedIterations: number; targetRate: number; achievedRate: number }[];
    thresholds: { scenario: string | null; step: string | null; expression: string; observed: number | null; passed: boolean; abortOnFail?: boolean }[];
    scenarios: { name: string; steps: (ResourceNumbers & { name: string; zones: (ResourceNumbers & { zone: string })[] })[] }[];
  };
  /** Campaign-wide interval rows in time order. */
  series: { bucketStart: string; count: number; failures: number; rps: number; p50: number; p95: number; p99: number; max: number; minionsActive: number; saturated: boolean }[];
  /** Error kinds with a few sampled failures each. */
  errors: { kind: string; count: number; samples: { request: string; status: number | null; message: string; zone: string; step: string; at: string }[] }[];
}

// ---------------------------------------------------------------------------------------
// Formatting: every function returns "—" for a value that is not a finite number.

const DASH = '—';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const trimTo = (v: number, digits: number) => String(Number(v.toFixed(digits)));

function int(v: unknown): string {
  if (!isNum(v)) return DASH;
  return Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 0.42 ms, 4.2 ms, 42.5 ms, 425 ms, 4.25 s. */
function ms(v: unknown): string {
  if (!isNum(v)) return DASH;
  if (v >= 1000) return `${trimTo(v / 1000, v >= 10_000 ? 1 : 2)} s`;
  if (v >= 100) return `${Math.round(v)} ms`;
  if (v >= 10) return `${trimTo(v, 1)} ms`;
  return `${trimTo(v, 2)} ms`;
}

function rate(v: unknown): string {
  if (!isNum(v)) return DASH;
  return `${v >= 100 ? int(v) : trimTo(v, 1)}/s`;
}

/** A ratio 0–1 as a percentage; a tiny non-zero share is not shown as 0. */
function pct(v: unknown): string {
  if (!isNum(v)) return DASH;
  const p = v * 100;
  if (p > 0 && p < 0.01) return '<0.01%';
  return `${p >= 10 ? trimTo(p, 1) : trimTo(p, 2)}%`;
}

function bytes(v: unknown): string {
  if (!isNum(v)) return DASH;
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = v;
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${u === 0 ? Math.round(n) : trimTo(n, n >= 100 ? 0 : 1)} ${units[u]}`;
}

/** 42.5 s, 5m 00s, 1h 02m. */
function duration(seconds: unknown): string {
  if (!isNum(seconds)) return DASH;
  if (seconds < 60) return `${trimTo(seconds, 1)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s % 60)}s` : `${m}m ${pad(s % 60)}s`;
}

/** An ISO instant as "2025-12-04 15:01:55 UTC"; anything unparsable is shown as given. */
function when(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const t = Date.parse(iso);
  if (!isNum(t)) return esc(iso);
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A threshold's observed value in the unit of its metric (ms, a share, a rate). */
function observed(expression: string, v: number | null): string {
  if (!isNum(v)) return '<span class="muted">no data</span>';
  const metric = /^\s*([A-Za-z]+\d*)/.exec(expression)?.[1] ?? '';
  if (/^(p\d+|max|mean|min|avg|med)$/.test(metric)) return ms(v);
  if (metric === 'errorRate' || metric === 'checks') return `${trimTo(v, 4)} <span class="muted">(${pct(v)})</span>`;
  if (metric === 'rps') return rate(v);
  return trimTo(v, 3);
}

// ---------------------------------------------------------------------------------------
// The tooltip script (the page works without it) and the page's security policy.

const TOOLTIP_SCRIPT = `(function(){
var tip=document.getElementById('tip');if(!tip)return;
document.querySelectorAll('rect.hover-area').forEach(function(area){
var svg=area.ownerSVGElement,rule=svg.querySelector('.hover-rule'),pts;
try{pts=JSON.parse(area.getAttribute('data-points')||'[]');}catch(e){return;}
if(!pts.length)return;
area.addEventListener('mousemove',function(e){
var m=svg.getScreenCTM();if(!m)return;
var x=(e.clientX-m.e)/m.a,lo=0,hi=pts.length-1;
while(lo<hi){var mid=(lo+hi)>>1;if(pts[mid].x<x)lo=mid+1;else hi=mid;}
if(lo>0&&x-pts[lo-1].x<pts[lo].x-x)lo--;
var p=pts[lo];rule.setAttribute('x1',p.x);rule.setAttribute('x2',p.x);rule.setAttribute('visibility','visible');
tip.replaceChildren.apply(tip,p.l.map(function(t,i){var d=document.createElement('div');d.textContent=t;if(i===0)d.className='tip-time';return d;}));
tip.hidden=false;
var r=tip.getBoundingClientRect(),left=e.clientX+14,top=e.clientY+14;
if(left+r.width>innerWidth-8)left=e.clientX-r.width-14;
if(top+r.height>innerHeight-8)top=e.clientY-r.height-14;
tip.style.left=left+'px';tip.style.top=top+'px';});
area.addEventListener('mouseleave',function(){tip.hidden=true;rule.setAttribute('visibility','hidden');});
});})();`;

const SCRIPT_HASH = createHash('sha256').update(TOOLTIP_SCRIPT).digest('base64');

/** Nothing may be fetched: no default source, inline styles, data: images, this one script. */
export const REPORT_PAGE_CSP = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${SCRIPT_HASH}'; base-uri 'none'; form-action 'none'`;

const CSS = `
:root{--bg:#f4f5f7;--card:#fff;--ink:#1d2330;--ink2:#3b4353;--muted:#6b7385;--line:#e3e6eb;--line2:#eef0f3;
--ok:#0a7a45;--ok-bg:#e3f7ec;--bad:#b42318;--bad-bg:#fde8e6;--warn:#a15c07;--warn-bg:#fff4dc;--err:#6f3fb3;--err-bg:#f1eafc;
--c-rps:#2563eb;--c-fail:#dc2626;--c-p50:#0f9d8a;--c-p95:#e08a00;--c-p99:#c2410c;--c-min:#6d5bd0;--band:#f6b73c}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans","DejaVu Sans",sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1240px;margin:0 auto;padding:24px 28px 56px}
h1{font-size:26px;line-height:1.2;margin:2px 0 6px;font-weight:650;letter-spacing:-.01em;word-break:break-word}
h2{font-size:17px;margin:0 0 12px;font-weight:650}
h3{font-size:14px;margin:0;font-weight:600}
p{margin:0 0 8px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:12.5px}
.muted{color:var(--muted)}
.num,td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 20px;margin-top:18px}
.card>h2 .aside{font-weight:400;font-size:13px;color:var(--muted);margin-left:8px}
.eyebrow{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);font-weight:600}
header.top{display:flex;gap:24px;align-items:flex-start;justify-content:space-between}
.ident{min-width:0}
.meta{display:flex;flex-wrap:wrap;gap:6px 18px;color:var(--ink2);font-size:13px;margin-top:6px}
.meta b{font-weight:600;color:var(--muted);font-weight:500;margin-right:4px}
.chip{display:inline-block;padding:1px 8px;border-radius:999px;border:1px solid var(--line);background:#f7f8fa;font-size:12px;font-weight:600;color:var(--ink2)}
.badge{flex:none;font-size:26px;font-weight:800;letter-spacing:.06em;padding:10px 22px;border-radius:12px;border:2px solid;line-height:1.1;text-align:center}
.badge small{display:block;font-size:11px;letter-spacing:.08em;font-weight:600;opacity:.8;margin-top:3px}
.badge.passed{color:var(--ok);background:var(--ok-bg);border-color:#9fdfbe}
.badge.failed{color:var(--bad);background:var(--bad-bg);border-color:#f3b1aa}
.badge.error{color:var(--err);background:var(--err-bg);border-color:#cdb6f0}
.badge.none{color:var(--ink2);background:#eef0f3;border-color:#d5d9e0}
.callout{margin-top:14px;border-radius:10px;padding:10px 14px;border:1px solid;font-size:13.5px}
.callout.bad{background:var(--bad-bg);border-color:#f3b1aa;color:#7a1a12}
.callout.warn{background:var(--warn-bg);border-color:#f3d38d;color:#6b3d05}
.callout b{font-weight:650}
nav.toc{display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:16px;font-size:13px}
nav.toc a{color:var(--ink2);text-decoration:none;border-bottom:1px dotted #aab1bf}
nav.toc a:hover{color:var(--c-rps);border-bottom-color:var(--c-rps)}
.tiles{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px;margin-top:18px}
.tile{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:12px 14px}
.tile .label{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.05em}
.tile .value{font-size:24px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums;white-space:nowrap}
.tile .sub{font-size:12.5px;color:var(--muted);margin-top:1px}
.tile.bad .value{color:var(--bad)}
.tile.warn .value{color:var(--warn)}
table{width:100%;border-collapse:collapse;font-size:13.5px}
th{font-size:12px;text-align:left;color:var(--muted);font-weight:600;padding:6px 10px;border-bottom:1px solid var(--line);white-space:nowrap}
td{padding:7px 10px;border-bottom:1px solid var(--line2);vertical-align:top}
tr:last-child td{border-bottom:none}
table.compact{width:auto;min-width:min(100%,560px)}
.scroll{overflow-x:auto}
tr.group td{background:#f7f8fa;font-weight:650;border-bottom:1px solid var(--line);padding-top:8px}
tr.zone td{color:var(--ink2);font-size:13px;background:#fcfcfd}
tr.zone td.name{padding-left:30px}
tr.zone td.name::before{content:"↳ ";color:var(--muted)}
td.name{word-break:break-word}
.pill{display:inline-block;min-width:52px;text-align:center;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:700;letter-spacing:.04em}
.pill.pass{background:var(--ok-bg);color:var(--ok)}
.pill.fail{background:var(--bad-bg);color:var(--bad)}
.bad-text{color:var(--bad)}
.warn-text{color:var(--warn)}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:0 18px}
.bar{position:relative;height:8px;background:var(--line2);border-radius:4px;min-width:80px;margin-top:6px}
.bar>span{position:absolute;left:0;top:0;bottom:0;border-radius:4px;background:var(--c-rps)}
.code-2{--c:#16a34a}.code-3{--c:#2563eb}.code-4{--c:#d97706}.code-5{--c:#dc2626}.code-x{--c:#6b7385}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;background:var(--c);margin-right:8px;vertical-align:baseline}
.bar.c>span{background:var(--c)}
.charts{display:grid;gap:14px}
figure.chart-card{margin:0;border:1px solid var(--line2);border-radius:10px;padding:12px 14px 6px}
figure.chart-card figcaption{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 16px;margin-bottom:4px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12.5px;color:var(--ink2)}
.legend .key{display:inline-block;width:16px;height:3px;border-radius:2px;vertical-align:middle;margin-right:6px;background:var(--c)}
.legend .key.band{height:11px;width:14px;border-radius:2px;background:rgba(246,183,60,.28);border-top:3px solid rgba(246,183,60,.9)}
svg.chart{display:block;width:100%;height:auto;overflow:visible}
svg.chart .plot-bg{fill:#fff}
svg.chart .grid{stroke:#eceef2;stroke-width:1}
svg.chart .baseline{stroke:#c9ced6;stroke-width:1}
svg.chart .tick{stroke:#c9ced6}
svg.chart text{font-size:12px;fill:#6b7385;font-family:inherit}
svg.chart .band{fill:rgba(246,183,60,.22)}
svg.chart .band-edge{fill:rgba(240,160,20,.85)}
svg.chart .hover-rule{stroke:#8a93a6;stroke-width:1;stroke-dasharray:3 3}
svg.chart .no-data{font-size:15px;fill:#8a93a6}
.axis-note{font-size:12px;color:var(--muted);margin:2px 0 4px}
#tip{position:fixed;z-index:10;pointer-events:none;background:rgba(22,27,38,.94);color:#f3f4f6;font-size:12.5px;line-height:1.45;padding:7px 10px;border-radius:8px;box-shadow:0 4px 14px rgba(0,0,0,.18);font-variant-numeric:tabular-nums;white-space:nowrap}
#tip .tip-time{color:#b9c0cf;font-size:11.5px;margin-bottom:2px}
details{margin-top:10px}
details>summary{cursor:pointer;font-weight:600;font-size:13.5px;color:var(--ink2)}
.samples{margin:8px 0 4px}
.samples table{table-layout:fixed;min-width:820px}
.samples td{font-size:12.5px}
.samples td.nowrap{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.samples td.req{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:12px;word-break:break-all}
.samples td.msg{word-break:break-word}
.kv{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:10px}
.kv>div{border:1px solid var(--line2);border-radius:10px;padding:9px 12px}
.kv .label{font-size:12px;color:var(--muted);font-weight:600}
.kv .value{font-size:18px;font-weight:650;font-variant-numeric:tabular-nums}
pre.config{background:#f7f8fa;border:1px solid var(--line2);border-radius:8px;padding:12px;overflow:auto;max-height:420px;margin:10px 0 0}
footer{margin-top:24px;color:var(--muted);font-size:12px;text-align:center}
@media (max-width:900px){.tiles{grid-template-columns:repeat(2,minmax(0,1fr))}}
@media (max-width:720px){main{padding:16px}header.top{flex-direction:column}.grid2{grid-template-columns:1fr}}
@media print{body{background:#fff}.card,.tile{break-inside:avoid}nav.toc,#tip{display:none}}
`;

// ---------------------------------------------------------------------------------------
// Sections

type Report = ReportPageData['report'];

function section(id: string, title: string, body: string, aside = ''): string {
  return `<section class="card" id="${id}"><h2>${esc(title)}${aside ? `<span class="aside">${aside}</span>` : ''}</h2>${body}</section>`;
}

function header(r: Report): string {
  const m = r.metadata;
  const result = (m.result ?? '').toLowerCase();
  const badgeClass = result === 'passed' || result === 'failed' || result === 'error' ? result : 'none';
  const badgeText = m.result ?? m.status;
  const badgeSub = m.result ? 'result' : 'no result';
  const reason = m.failureReason ? `<div class="callout bad" id="failure-reason"><b>Reason:</b> ${esc(m.failureReason)}</div>` : '';
  return `<header class="top">
<div class="ident"><div class="eyebrow">Barrage · campaign report</div>
<h1 id="campaign-name">${esc(m.name)}</h1>
<div class="meta"><span><b>Key</b><code>${esc(m.key)}</code></span><span><b>Status</b><span class="chip">${esc(m.status)}</span></span><span><b>Duration</b>${duration(r.summary.durationSeconds)}</span></div>
<div class="meta"><span><b>Created</b>${when(m.createdAt)}</span><span><b>Started</b>${when(m.startedAt)}</span><span><b>Ended</b>${when(m.endedAt)}</span></div>
</div>
<div class="badge ${badgeClass}" id="result-badge" role="status">${esc(String(badgeText).toUpperCase())}<small>${badgeSub}</small></div>
</header>${reason}`;
}

function tile(label: string, value: string, sub: string, tone = ''): string {
  return `<div class="tile${tone ? ` ${tone}` : ''}"><div class="label">${label}</div><div class="value">${value}</div><div class="sub">${sub}</div></div>`;
}

function summaryTiles(r: Report): string {
  const s = r.summary;
  return `<div class="tiles" id="summary">${[
    tile('Requests', int(s.requests), `${int(s.iterations)} iterations`),
    tile('Failures', int(s.failures), `${pct(s.errorRate)} error rate`, s.failures > 0 ? 'bad' : ''),
    tile('Throughput', rate(s.avgRps), `average · peak ${rate(s.peakRps)}`),
    tile('Latency p95', ms(r.latency.p95), `p50 ${ms(r.latency.p50)} · p99 ${ms(r.latency.p99)}`),
    tile('Duration', duration(s.durationSeconds), `${int(r.latency.count)} timed responses`),
    tile('Minions', int(s.peakMinions), `peak · ${int(s.minionsStarted)} started`),
    tile('Dropped iterations', int(s.droppedIterations), 'arrivals never started', s.droppedIterations > 0 ? 'warn' : ''),
    tile('Data', `${bytes(s.bytes.in)}`, `received · ${bytes(s.bytes.out)} sent`),
  ].join('')}</div>`;
}

function saturationCallout(r: Report): string {
  const g = r.generator;
  if (!g.saturated && !(g.saturatedIntervals > 0)) return '';
  return `<div class="callout warn" id="saturation-warning"><b>The load generator was saturated</b> in ${int(g.saturatedIntervals)} interval${g.saturatedIntervals === 1 ? '' : 's'} (shaded on the charts): sends ran late or a generator's CPU was pinned, so the numbers of those intervals may describe the generator rather than the system under test.</div>`;
}

function thresholds(r: Report): string {
  const list = r.thresholds ?? [];
  if (!list.length) return section('thresholds', 'Thresholds', '<p class="muted">No thresholds were set for this campaign.</p>');
  const passed = list.filter((t) => t.passed).length;
  const rows = list
    .map(
      (t) => `<tr class="${t.passed ? 'pass' : 'fail'}"><td><span class="pill ${t.passed ? 'pass' : 'fail'}">${t.passed ? 'PASS' : 'FAIL'}</span></td>
<td class="name">${t.scenario ? esc(t.scenario) : '<span class="muted">campaign</span>'}${t.step ? ` <span class="muted">›</span> ${esc(t.step)}` : ''}</td>
<td><code>${esc(t.expression)}</code></td><td class="num">${observed(t.expression, t.observed)}</td><td>${t.abortOnFail ? 'abort on fail' : ''}</td></tr>`,
    )
    .join('');
  const aside = `${passed} of ${list.length} passed`;
  return section(
    'thresholds',
    'Thresholds',
    `<div class="scroll"><table id="threshold-table"><thead><tr><th>Result</th><th>Scope</th><th>Expression</th><th class="num">Observed</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`,
    list.length === passed ? `<span style="color:var(--ok)">${aside}</span>` : `<span class="bad-text">${aside}</span>`,
  );
}

function legend(series: readonly ChartSeries[], bands: boolean): string {
  const items = series.map((s) => `<span><span class="key" style="--c:${esc(s.color)}"></span>${esc(s.label)}</span>`);
  if (bands) items.push('<span><span class="key band"></span>generator saturated</span>');
  return `<div class="legend">${items.join('')}</div>`;
}

function charts(data: ReportPageData): string {
  const rows = (data.series ?? []).filter((row) => isNum(Date.parse(row.bucketStart)));
  const times = rows.map((row) => Date.parse(row.bucketStart));
  const interval = times.length > 1 ? inferIntervalMs(times) : rows[0] && rows[0].rps > 0 && rows[0].count > 0 ? (rows[0].count / rows[0].rps) * 1000 : 1000;
  const bands = bandsFromFlags(times, rows.map((row) => row.saturated === true), interval);
  const num = (v: unknown) => (isNum(v) ? v : null);
  const failuresPerS = rows.map((row) => (row.count > 0 && isNum(row.rps) ? (row.rps * row.failures) / row.count : isNum(row.failures) ? row.failures / (interval / 1000) : null));
  const bandLabel = '⚠ generator saturated';
  const defs: { id: string; title: string; series: ChartSeries[]; format: (v: number) => string; integer?: boolean }[] = [
    {
      id: 'chart-throughput',
      title: 'Throughput',
      format: (v) => rate(v),
      series: [
        { label: 'requests/s', color: '#2563eb', values: rows.map((row) => num(row.rps)), area: true },
        { label: 'failures/s', color: '#dc2626', values: failuresPerS },
      ],
    },
    {
      id: 'chart-latency',
      title: 'Latency',
      format: (v) => ms(v),
      series: [
        { label: 'p50', color: '#0f9d8a', values: rows.map((row) => num(row.p50)) },
        { label: 'p95', color: '#e08a00', values: rows.map((row) => num(row.p95)) },
        { label: 'p99', color: '#c0262d', values: rows.map((row) => num(row.p99)) },
      ],
    },
    {
      id: 'chart-minions',
      title: 'Active minions',
      format: (v) => int(v),
      integer: true,
      series: [{ label: 'active minions', color: '#6d5bd0', values: rows.map((row) => num(row.minionsActive)), area: true }],
    },
  ];
  const figures = defs
    .map((d) => {
      const svg = lineChart({ title: d.title, times, intervalMs: interval, series: d.series, bands, bandLabel, format: d.format, integer: d.integer, height: d.id === 'chart-minions' ? 180 : 240 });
      return `<figure class="chart-card" id="${d.id}"><figcaption><h3>${esc(d.title)}</h3>${legend(d.series, bands.length > 0)}</figcaption>${svg}</figure>`;
    })
    .join('');
  const note = times.length
    ? `<p class="axis-note">Time since the first interval (${when(rows[0].bucketStart)}), ${rows.length} interval${rows.length === 1 ? '' : 's'} of ${trimTo(interval / 1000, 2)} s over ${formatElapsed((times[times.length - 1] + interval - times[0]) / 1000)}. ${
        bands.length
          ? '<b>Shaded bands</b> mark intervals in which the load generator was saturated: the numbers there may describe the generator rather than the system under test.'
          : 'The generator was never saturated (saturated intervals would be shaded).'
      }</p>`
    : '<p class="axis-note">No interval was recorded for this campaign.</p>';
  return section('charts', 'Over time', `${note}<div class="charts">${figures}</div>`);
}

const LAT_COLS: [keyof LatencyNumbers, string][] = [
  ['min', 'min'],
  ['mean', 'mean'],
  ['p50', 'p50'],
  ['p75', 'p75'],
  ['p90', 'p90'],
  ['p95', 'p95'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
  ['stdDev', 'std dev'],
];

function latencyTable(r: Report): string {
  const row = (label: string, hint: string, l: LatencyNumbers) =>
    `<tr><td class="name"><b>${label}</b><div class="muted" style="font-size:12px">${hint}</div></td><td class="num">${int(l?.count)}</td>${LAT_COLS.map(([k]) => `<td class="num">${ms(l?.[k])}</td>`).join('')}</tr>`;
  return section(
    'latency',
    'Latency percentiles',
    `<div class="scroll"><table id="latency-table"><thead><tr><th></th><th class="num">count</th>${LAT_COLS.map(([, h]) => `<th class="num">${h}</th>`).join('')}</tr></thead><tbody>
${row('Response time', 'intended start → response end', r.latency)}
${row('Service time', 'actual send → response end', r.serviceTime)}
</tbody></table></div>
<p class="muted" style="margin-top:8px;font-size:12.5px">Response time counts from the instant a request was due, so a generator that sends late does not hide the wait (coordinated omission); service time counts from the actual send. Percentiles come from the merged histogram of the whole campaign.</p>`,
  );
}

function resourceCells(n: ResourceNumbers): string {
  const l = n.latency;
  return `<td class="num">${int(n.requests)}</td><td class="num${n.failures > 0 ? ' bad-text' : ''}">${int(n.failures)}</td><td class="num">${pct(n.errorRate)}</td><td class="num">${rate(n.avgRps)}</td><td class="num">${rate(n.peakRps)}</td><td class="num">${ms(l?.p50)}</td><td class="num">${ms(l?.p95)}</td><td class="num">${ms(l?.p99)}</td><td class="num">${ms(l?.max)}</td>`;
}

function stepsTable(r: Report): string {
  const scenarios = r.scenarios ?? [];
  if (!scenarios.length) return section('steps', 'Steps and zones', '<p class="muted">No step recorded a request.</p>');
  const body = scenarios
    .map(
      (sc) =>
        `<tr class="group"><td colspan="10">Scenario <span class="mono">${esc(sc.name)}</span></td></tr>` +
        sc.steps
          .map(
            (st) =>
              `<tr class="step"><td class="name"><b>${esc(st.name)}</b></td>${resourceCells(st)}</tr>` +
              (st.zones ?? []).map((z) => `<tr class="zone"><td class="name">zone ${esc(z.zone)}</td>${resourceCells(z)}</tr>`).join(''),
          )
          .join(''),
    )
    .join('');
  return section(
    'steps',
    'Steps and zones',
    `<div class="scroll"><table id="steps-table"><thead><tr><th>Step / zone</th><th class="num">requests</th><th class="num">failures</th><th class="num">error rate</th><th class="num">avg rps</th><th class="num">peak rps</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th></tr></thead><tbody>${body}</tbody></table></div>`,
  );
}

function statusCodes(r: Report): string {
  const entries = Object.entries(r.statusCodes ?? {}).filter(([, n]) => isNum(n));
  if (!entries.length) return section('status-codes', 'Status codes', '<p class="muted">No response was received.</p>');
  entries.sort(([a], [b]) => (Number(a) || 1e9) - (Number(b) || 1e9) || a.localeCompare(b));
  const total = entries.reduce((n, [, c]) => n + c, 0);
  const rows = entries
    .map(([code, n]) => {
      const cls = /^[2345]\d\d$/.test(code) ? `code-${code[0]}` : 'code-x';
      const share = total > 0 ? n / total : 0;
      return `<tr class="${cls}"><td><span class="dot"></span><span class="mono">${esc(code)}</span></td><td class="num">${int(n)}</td><td class="num">${pct(share)}</td><td style="width:40%"><div class="bar c"><span style="width:${(share * 100).toFixed(2)}%"></span></div></td></tr>`;
    })
    .join('');
  return section('status-codes', 'Status codes', `<table id="status-table"><thead><tr><th>code</th><th class="num">responses</th><th class="num">share</th><th></th></tr></thead><tbody>${rows}</tbody></table>`);
}

function timing(r: Report): string {
  const t = r.timingBreakdown ?? { connectMs: 0, tlsMs: 0, firstByteMs: 0, downloadMs: 0 };
  const parts: [string, string, number][] = [
    ['Connect', 'per new connection', t.connectMs],
    ['TLS handshake', 'per new connection', t.tlsMs],
    ['Time to first byte', 'per response', t.firstByteMs],
    ['Download', 'per response', t.downloadMs],
  ];
  const max = Math.max(0, ...parts.map(([, , v]) => (isNum(v) ? v : 0)));
  const rows = parts
    .map(
      ([label, per, v]) =>
        `<tr><td>${label} <span class="muted" style="font-size:12px">${per}</span></td><td class="num">${ms(v)}</td><td style="width:45%"><div class="bar"><span style="width:${max > 0 && isNum(v) ? ((v / max) * 100).toFixed(2) : '0'}%"></span></div></td></tr>`,
    )
    .join('');
  return section('timing', 'Timing breakdown', `<table id="timing-table"><thead><tr><th>phase</th><th class="num">average</th><th></th></tr></thead><tbody>${rows}</tbody></table>`);
}

function errorsSection(data: ReportPageData): string {
  const byKind = data.report.errors?.byKind ?? {};
  const byCheck = data.report.errors?.byCheck ?? {};
  const sampled = new Map((data.errors ?? []).map((e) => [e.kind, e]));
  const kinds = new Map<string, number>();
  for (const [k, n] of Object.entries(byKind)) if (isNum(n)) kinds.set(k, n);
  for (const e of data.errors ?? []) if (!kinds.has(e.kind)) kinds.set(e.kind, e.count);
  const list = [...kinds.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = list.reduce((n, [, c]) => n + (isNum(c) ? c : 0), 0);
  const checks = Object.entries(byCheck).filter(([, n]) => isNum(n)).sort((a, b) => b[1] - a[1]);
  if (!list.length && !checks.length) return section('errors', 'Errors', '<p class="muted">No request failed.</p>');

  const kindTable = list.length
    ? `<table id="error-kinds" class="compact"><thead><tr><th>kind</th><th class="num">failures</th><th class="num">share</th><th class="num">samples</th></tr></thead><tbody>${list
        .map(([k, n]) => `<tr><td class="mono">${esc(k)}</td><td class="num">${int(n)}</td><td class="num">${pct(total > 0 ? n / total : 0)}</td><td class="num">${int(sampled.get(k)?.samples.length ?? 0)}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  const samples = list
    .filter(([k]) => (sampled.get(k)?.samples.length ?? 0) > 0)
    .map(([k], i) => {
      const e = sampled.get(k)!;
      const rows = e.samples
        .map(
          (s) =>
            `<tr><td class="num">${when(s.at).replace(' UTC', '')}</td><td class="nowrap" title="${esc(s.zone)}">${esc(s.zone)}</td><td class="msg">${esc(s.step)}</td><td class="num">${s.status == null ? DASH : esc(s.status)}</td><td class="req">${esc(s.request)}</td><td class="msg">${esc(s.message)}</td></tr>`,
        )
        .join('');
      return `<details class="error-samples"${i < 3 ? ' open' : ''}><summary><span class="mono">${esc(k)}</span> — ${int(e.samples.length)} sample${e.samples.length === 1 ? '' : 's'} of ${int(kinds.get(k))}</summary>
<div class="scroll samples"><table><colgroup><col style="width:160px"><col style="width:100px"><col style="width:150px"><col style="width:64px"><col style="width:40%"><col></colgroup><thead><tr><th class="num">at (UTC)</th><th>zone</th><th>step</th><th class="num">status</th><th>request</th><th>message</th></tr></thead><tbody>${rows}</tbody></table></div></details>`;
    })
    .join('');
  const checkTable = checks.length
    ? `<h3 style="margin-top:16px">Failed checks</h3><table id="failed-checks"><thead><tr><th>check</th><th class="num">failures</th></tr></thead><tbody>${checks.map(([c, n]) => `<tr><td>${esc(c)}</td><td class="num">${int(n)}</td></tr>`).join('')}</tbody></table>`
    : '';
  return section('errors', 'Errors', kindTable + samples + checkTable, `${int(total)} failures`);
}

function rateControl(r: Report): string {
  const list = r.rateControl ?? [];
  if (!list.length) return section('rate-control', 'Rate control', '<p class="muted">No scenario ran an open model (arrival rate), so there is no target rate to compare with.</p>');
  const rows = list
    .map((x) => {
      const share = x.targetRate > 0 ? x.achievedRate / x.targetRate : null;
      const cls = share !== null && share < 0.95 ? ' warn-text' : '';
      return `<tr><td class="name mono">${esc(x.scenario)}</td><td class="num">${rate(x.targetRate)}</td><td class="num${cls}">${rate(x.achievedRate)}</td><td class="num${cls}">${share === null ? DASH : pct(share)}</td><td class="num">${int(x.targetIterations)}</td><td class="num">${int(x.startedIterations)}</td><td class="num${x.droppedIterations > 0 ? ' warn-text' : ''}">${int(x.droppedIterations)}</td></tr>`;
    })
    .join('');
  return section(
    'rate-control',
    'Rate control',
    `<div class="scroll"><table id="rate-table"><thead><tr><th>scenario</th><th class="num">target rate</th><th class="num">achieved</th><th class="num">of target</th><th class="num">target iterations</th><th class="num">started</th><th class="num">dropped</th></tr></thead><tbody>${rows}</tbody></table></div>
<p class="muted" style="margin-top:8px;font-size:12.5px">Open model: iterations arrive on a schedule whatever the response times; an arrival that finds no free minion is dropped and counted, never queued.</p>`,
    'open model',
  );
}

function generator(r: Report): string {
  const g = r.generator;
  const kv = (label: string, value: string, cls = '') => `<div><div class="label">${label}</div><div class="value${cls}">${value}</div></div>`;
  return section(
    'generator',
    'Generator self-watch',
    `<div class="kv">${[
      kv('Saturated', g.saturated ? 'yes' : 'no', g.saturated ? ' warn-text' : ''),
      kv('Saturated intervals', int(g.saturatedIntervals), g.saturatedIntervals > 0 ? ' warn-text' : ''),
      kv('Max event-loop lag', ms(g.maxEventLoopLagMs)),
      kv('Max send lateness', ms(g.maxSendLatenessMs)),
    ].join('')}</div>
<p class="muted" style="margin-top:10px;font-size:12.5px">Each factory watches itself every interval: how late sends left against their intended instants, its event-loop lag and its CPU. An interval where sends ran late or the CPU was pinned is marked saturated.</p>`,
  );
}

function configuration(r: Report): string {
  let json: string;
  try {
    json = JSON.stringify(r.metadata.configuration ?? {}, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
  } catch {
    json = '(not representable as JSON)';
  }
  return section('configuration', 'Configuration', `<details><summary>Show the campaign configuration</summary><pre class="config mono">${esc(json)}</pre></details>`);
}

const TOC: [string, string][] = [
  ['thresholds', 'Thresholds'],
  ['charts', 'Over time'],
  ['latency', 'Latency'],
  ['steps', 'Steps & zones'],
  ['status-codes', 'Status codes'],
  ['timing', 'Timing'],
  ['errors', 'Errors'],
  ['rate-control', 'Rate control'],
  ['generator', 'Generator'],
  ['configuration', 'Configuration'],
];

/** The whole page. */
export function renderReportPage(data: ReportPageData): string {
  const r = data.report;
  const title = `${r.metadata.name} — ${(r.metadata.result ?? r.metadata.status).toUpperCase()} — Barrage report`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(REPORT_PAGE_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${header(r)}
${saturationCallout(r)}
<nav class="toc">${TOC.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>
${summaryTiles(r)}
${thresholds(r)}
${charts(data)}
${latencyTable(r)}
${stepsTable(r)}
<div class="grid2">${statusCodes(r)}${timing(r)}</div>
${errorsSection(data)}
${rateControl(r)}
${generator(r)}
${configuration(r)}
<footer>Generated by Barrage from campaign <span class="mono">${esc(r.metadata.key)}</span>. This page is self-contained: it loads nothing from the network.</footer>
</main>
<div id="tip" hidden></div>
<script>${TOOLTIP_SCRIPT}</script>
</body>
</html>
`;
}
