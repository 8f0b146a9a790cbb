import { createHash } from 'node:crypto';
import { renderReportPage, REPORT_PAGE_CSP, type LatencyNumbers, type ReportPageData } from './report-page.js';
import { bandsFromFlags, formatElapsed, inferIntervalMs, lineChart, niceTicks, timeStep } from './svg-chart.js';

const T0 = Date.parse('2026-01-05T09:00:00.000Z');

function lat(p50: number): LatencyNumbers {
  return { count: 100, min: p50 / 2, mean: p50 * 1.1, p50, p75: p50 * 1.3, p90: p50 * 1.8, p95: p50 * 2, p99: p50 * 3, p999: p50 * 4, max: p50 * 5, stdDev: p50 / 3 };
}

function row(i: number, over: Partial<ReportPageData['series'][number]> = {}): ReportPageData['series'][number] {
  return { bucketStart: new Date(T0 + i * 1000).toISOString(), count: 100, failures: 1, rps: 100, p50: 20, p95: 40, p99: 60, max: 90, minionsActive: 10, saturated: false, ...over };
}

function data(series = Array.from({ length: 10 }, (_, i) => row(i))): ReportPageData {
  const res = { requests: 500, failures: 5, errorRate: 0.01, avgRps: 50, peakRps: 60, latency: lat(20) };
  return {
    report: {
      metadata: { key: 'k1', name: 'nightly', status: 'completed', result: 'passed', failureReason: null, createdAt: '2026-01-05T08:59:50Z', startedAt: '2026-01-05T09:00:00Z', endedAt: '2026-01-05T09:00:10Z', configuration: { a: 1 } },
      summary: { requests: 1000, failures: 10, errorRate: 0.01, durationSeconds: 10, avgRps: 100, peakRps: 100, peakMinions: 10, minionsStarted: 10, iterations: 1000, droppedIterations: 0, bytes: { in: 1000, out: 100 } },
      latency: lat(20),
      serviceTime: lat(18),
      statusCodes: { '200': 990, '500': 10 },
      errors: { byKind: { http_5xx: 10 }, byCheck: {} },
      timingBreakdown: { connectMs: 1, tlsMs: 0, firstByteMs: 15, downloadMs: 2 },
      generator: { saturated: false, saturatedIntervals: 0, maxEventLoopLagMs: 2, maxSendLatenessMs: 1 },
      rateControl: [],
      thresholds: [{ scenario: 's', step: null, expression: 'p95 < 100', observed: 40, passed: true }],
      scenarios: [{ name: 's', steps: [{ name: 'GET /', ...res, zones: [{ zone: 'z1', ...res }] }] }],
    },
    series,
    errors: [{ kind: 'http_5xx', count: 10, samples: [{ request: 'GET http://t/', status: 500, message: 'boom', zone: 'z1', step: 'GET /', at: '2026-01-05T09:00:03Z' }] }],
  };
}

const count = (html: string, re: RegExp) => (html.match(new RegExp(re.source, 'g')) ?? []).length;
/** The charts' SVGs, in page order (throughput, latency, minions). */
const svgs = (html: string): string[] => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

describe('renderReportPage', () => {
  it('escapes every user-provided string: a name with <script> makes no script element', () => {
    const d = data();
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
    d.report.metadata.name = evil;
    d.report.metadata.key = evil;
    d.report.metadata.status = evil;
    d.report.metadata.result = evil;
    d.report.metadata.failureReason = evil;
    d.report.metadata.configuration = { name: evil };
    d.report.metadata.createdAt = evil;
    d.report.scenarios[0].name = evil;
    d.report.scenarios[0].steps[0].name = evil;
    d.report.scenarios[0].steps[0].zones[0].zone = evil;
    d.report.thresholds[0] = { scenario: evil, step: evil, expression: evil, observed: 1, passed: false };
    d.report.statusCodes = { [evil]: 3 };
    d.report.errors = { byKind: { [evil]: 2 }, byCheck: { [evil]: 1 } };
    d.report.rateControl = [{ scenario: evil, targetIterations: 1, startedIterations: 1, droppedIterations: 0, targetRate: 1, achievedRate: 1 }];
    d.errors = [{ kind: evil, count: 2, samples: [{ request: evil, status: null, message: evil, zone: evil, step: evil, at: evil }] }];
    const html = renderReportPage(d);
    expect(count(html, /<script/i)).toBe(1); // the page's own tooltip script
    expect(html).not.toContain('<img');
    expect(html.replace(/"[^"]*"/g, '""')).not.toMatch(/<[^>]*\sonerror=/i); // only inside quoted attribute values
    expect(html).not.toContain('alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;');
  });

  it('loads nothing: no external reference, and the CSP pins the only script by its hash', () => {
    const html = renderReportPage(data());
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain(`content="${REPORT_PAGE_CSP.replace(/'/g, '&#39;')}"`);
    expect(REPORT_PAGE_CSP).toMatch(/default-src 'none'/);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    expect(REPORT_PAGE_CSP).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  });

  it('never prints NaN or Infinity, even from non-finite or missing numbers', () => {
    const d = data([row(0, { rps: NaN, p50: Infinity, p95: NaN, count: 0, failures: 0 }), row(1, { p99: NaN, minionsActive: NaN }), row(2)]);
    d.report.summary = { ...d.report.summary, errorRate: NaN, avgRps: Infinity, durationSeconds: NaN, bytes: { in: NaN, out: -Infinity } };
    d.report.latency = { ...lat(NaN) };
    d.report.serviceTime = undefined as unknown as LatencyNumbers;
    d.report.thresholds[0].observed = NaN;
    d.report.timingBreakdown = { connectMs: NaN, tlsMs: NaN, firstByteMs: NaN, downloadMs: NaN };
    d.report.statusCodes = { '200': 0 };
    d.report.rateControl = [{ scenario: 's', targetIterations: 0, startedIterations: 0, droppedIterations: 0, targetRate: 0, achievedRate: 0 }];
    const html = renderReportPage(d);
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(renderReportPage(data())).not.toMatch(/NaN|Infinity/);
  });

  it('shades the saturated intervals on each chart, one band per run of saturated rows, with a legend', () => {
    const none = renderReportPage(data());
    expect(count(none, /class="band"/)).toBe(0);
    expect(none).not.toContain('id="saturation-warning"');

    const series = Array.from({ length: 10 }, (_, i) => row(i, { saturated: i === 2 || i === 3 || i === 7 }));
    const d = data(series);
    d.report.generator = { saturated: true, saturatedIntervals: 3, maxEventLoopLagMs: 40, maxSendLatenessMs: 80 };
    const html = renderReportPage(d);
    const charts = svgs(html);
    expect(charts).toHaveLength(3);
    for (const svg of charts) expect(count(svg, /class="band"/)).toBe(2);
    expect(count(html, /generator saturated<\/span>/)).toBe(3); // each chart's legend
    expect(html).toContain('id="saturation-warning"');
    // The band of rows 2–3 spans two of the ten intervals: 20% of the plot's width.
    const band = /<rect class="band" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(charts[0])!;
    const plot = /<rect class="plot-bg" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(charts[0])!;
    expect(Number(band[2]) / Number(plot[2])).toBeCloseTo(0.2, 2);
    expect((Number(band[1]) - Number(plot[1])) / Number(plot[2])).toBeCloseTo(0.2, 2);
  });

  it('says "No data" for a campaign with no interval, with no path at all', () => {
    const html = renderReportPage(data([]));
    const charts = svgs(html);
    expect(charts).toHaveLength(3);
    for (const svg of charts) {
      expect(svg).toContain('chart-empty');
      expect(svg).toContain('No data');
      expect(svg).not.toContain('<path');
    }
    expect(html).not.toMatch(/NaN|Infinity/);
  });

  it('draws a single interval as a level segment, not an empty path', () => {
    const charts = svgs(renderReportPage(data([row(0, { rps: 250, count: 500 })])));
    for (const svg of charts) {
      const d = /<path class="line s0" d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)"/.exec(svg)!;
      expect(d).not.toBeNull();
      expect(Number(d[3])).toBeGreaterThan(Number(d[1]));
      expect(d[2]).toBe(d[4]);
      expect(svg).toContain('<circle');
    }
  });

  it('shows the verdict, thresholds, percentiles, steps and zones, and error samples', () => {
    const d = data();
    d.report.metadata.result = 'failed';
    d.report.metadata.failureReason = 'p95 < 100 breached';
    d.report.thresholds.push({ scenario: 's', step: 'GET /', expression: 'errorRate < 0.001', observed: 0.01, passed: false, abortOnFail: true });
    // A campaign-wide threshold may come without a scenario.
    d.report.thresholds.push({ scenario: null as unknown as string, step: null, expression: 'rps > 1', observed: 100, passed: true });
    const html = renderReportPage(d);
    expect(html).toMatch(/<div class="badge failed" id="result-badge"[^>]*>FAILED/);
    expect(html).toContain('p95 &lt; 100 breached');
    expect(html).toMatch(/<span class="pill pass">PASS<\/span>[\s\S]*<span class="pill fail">FAIL<\/span>/);
    expect(html).toContain('0.01 <span class="muted">(1%)</span>');
    expect(html).toContain('abort on fail');
    expect(html).toContain('<td class="name"><span class="muted">campaign</span></td>');
    expect(html).toMatch(/id="latency-table"[\s\S]*p99\.9/);
    expect(html).toMatch(/<tr class="zone"><td class="name">zone z1<\/td>/);
    expect(html).toContain('GET http://t/');
    expect(html).toMatch(/<td class="num">2026-01-05 09:00:03<\/td>/);
  });

  it('labels a campaign without a result by its status', () => {
    const d = data();
    d.report.metadata.result = null;
    d.report.metadata.status = 'aborted';
    expect(renderReportPage(d)).toMatch(/<div class="badge none" id="result-badge"[^>]*>ABORTED<small>no result<\/small>/);
  });
});

describe('svg chart', () => {
  it('picks round y ticks that cover the data', () => {
    expect(niceTicks(0, 0)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(0, 97)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0, 2410)).toEqual([0, 1000, 2000, 3000]);
    expect(niceTicks(0, 0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(NaN, NaN)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(0, 10, 5, true)).toEqual([0, 5, 10]);
    expect(niceTicks(0, 3, 5, true)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 200, 5, true)).toEqual([0, 50, 100, 150, 200]);
  });

  it('picks readable time steps and labels elapsed time', () => {
    expect(timeStep(60)).toBe(10);
    expect(timeStep(5)).toBe(1);
    expect(timeStep(3600)).toBe(600);
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(95)).toBe('1:35');
    expect(formatElapsed(3725)).toBe('1:02:05');
  });

  it('infers the interval and merges adjacent flagged intervals into one band', () => {
    const t = [0, 1000, 2000, 3000, 5000];
    expect(inferIntervalMs(t)).toBe(1000);
    expect(inferIntervalMs([42])).toBe(1000);
    expect(bandsFromFlags(t, [true, true, false, true, true])).toEqual([
      { start: 0, end: 2000 },
      { start: 3000, end: 4000 },
      { start: 5000, end: 6000 },
    ]);
  });

  it('breaks a line at a missing value or a missing interval', () => {
    const times = [0, 1000, 2000, 3000, 10_000, 11_000];
    const svg = lineChart({ title: 't', times, series: [{ label: 'a', color: '#000', values: [1, 2, null, 4, 5, 6] }] });
    expect(count(svg, /<path class="line s0"/)).toBe(3); // [0,1], [3] alone, [10,11]
    expect(svg).not.toMatch(/NaN/);
  });

  it('keeps a long line small but keeps its spikes', () => {
    const times = Array.from({ length: 86_400 }, (_, i) => i * 1000);
    const values = times.map((_, i) => (i === 40_000 ? 5000 : 10 + (i % 3)));
    const svg = lineChart({ title: 't', times, series: [{ label: 'a', color: '#000', values }] });
    const d = /<path class="line s0" d="([^"]+)"/.exec(svg)![1];
    const ys = d.split(/[ML]/).filter(Boolean).map((p) => Number(p.split(' ')[1]));
    expect(ys.length).toBeLessThan(4 * 1000);
    expect(Math.min(...ys)).toBeCloseTo(14 + (192 * 1000) / 6000, 0); // the one-interval spike of 5000 (axis to 6000) survives
  });

  it('escapes labels and the title', () => {
    const svg = lineChart({ title: '<b>', times: [0, 1000], series: [{ label: '<i>', color: '"red"', values: [1, 2] }] });
    expect(svg).not.toMatch(/<b>|<i>|"red"/);
  });
});
