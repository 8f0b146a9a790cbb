/**
 * The report page in a real browser (no cluster needed): it loads nothing but itself, every
 * chart draws, the verdict and the thresholds are visible, hostile strings stay text, and
 * the hover tooltip works. The page and a screenshot are left in .barrage/report-page.{html,png}
 * to look at.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { renderReportPage, type LatencyNumbers, type ReportPageData } from '../apps/head/src/reports/report-page';
import { launchChromium, serveHtml } from './support/browser';

jest.setTimeout(90_000);

const root = join(__dirname, '..');
const START = Date.parse('2026-03-02T10:15:00.000Z');
const HOSTILE = '<img src=x onerror="document.title=\'pwned\'">';

function latency(p50: number, spread = 1): LatencyNumbers {
  return {
    count: 1000,
    min: p50 * 0.3,
    mean: p50 * 1.2 * spread,
    p50,
    p75: p50 * 1.4 * spread,
    p90: p50 * 2.1 * spread,
    p95: p50 * 2.9 * spread,
    p99: p50 * 5.2 * spread,
    p999: p50 * 9 * spread,
    max: p50 * 14 * spread,
    stdDev: p50 * 1.1 * spread,
  };
}

function resource(requests: number, failures: number, p50: number, seconds = 60) {
  return { requests, failures, errorRate: failures / requests, avgRps: requests / seconds, peakRps: (requests / seconds) * 1.3, latency: { ...latency(p50), count: requests } };
}

function step(name: string, requests: number, failures: number, p50: number) {
  const eu = Math.round(requests * 0.58);
  const euFail = Math.round(failures * 0.7);
  return { name, ...resource(requests, failures, p50), zones: [{ zone: 'eu-west', ...resource(eu, euFail, p50 * 0.9) }, { zone: 'us-east', ...resource(requests - eu, failures - euFail, p50 * 1.25) }] };
}

/** 60 one-second intervals: ramp-up, a latency stall around 0:28–0:35, two saturated intervals, ramp-down. */
function series(): ReportPageData['series'] {
  return Array.from({ length: 60 }, (_, i) => {
    const minions = i < 10 ? 20 * (i + 1) : i >= 55 ? 200 - 40 * (i - 54) : 200;
    const stall = i >= 28 && i <= 35;
    const wobble = Math.sin(i * 1.7) * 0.08 + Math.cos(i * 0.6) * 0.05;
    const p50 = stall ? 620 + 180 * Math.sin(((i - 28) / 7) * Math.PI) : 38 * (1 + wobble);
    const rps = stall ? 210 + 40 * Math.cos(i) : minions * 5.4 * (1 + wobble / 2);
    const count = Math.round(rps);
    const failures = stall ? Math.round(count * 0.09) : i % 11 === 3 ? 2 : 0;
    return {
      bucketStart: new Date(START + i * 1000).toISOString(),
      count,
      failures,
      rps: count,
      p50,
      p95: p50 * (stall ? 2.4 : 2.9),
      p99: p50 * (stall ? 3.1 : 5.2),
      max: p50 * (stall ? 4 : 14),
      minionsActive: minions,
      saturated: i === 30 || i === 31,
    };
  });
}

function fixture(): ReportPageData {
  const rows = series();
  const requests = rows.reduce((n, r) => n + r.count, 0);
  const failures = rows.reduce((n, r) => n + r.failures, 0);
  return {
    report: {
      metadata: {
        key: 'cmp_7Hq2LxV9',
        name: `Checkout peak rehearsal ${HOSTILE} <script>document.title='pwned'</script>`,
        status: 'completed',
        result: 'failed',
        failureReason: 'threshold breached: checkout p95 < 500 observed 812 ms; checkout › POST /checkout p99 < 1500 observed 2410 ms',
        createdAt: '2026-03-02T10:14:41.112Z',
        startedAt: '2026-03-02T10:15:00.000Z',
        endedAt: '2026-03-02T10:16:00.480Z',
        configuration: { name: 'Checkout peak rehearsal', zones: { 'eu-west': 58, 'us-east': 42 }, scenarios: [{ name: 'checkout', profile: { type: 'ramp', minions: 200, durationMs: 60_000 } }] },
      },
      summary: {
        requests,
        failures,
        errorRate: failures / requests,
        durationSeconds: 60.48,
        avgRps: requests / 60,
        peakRps: Math.max(...rows.map((r) => r.rps)),
        peakMinions: 200,
        minionsStarted: 200,
        iterations: Math.round(requests / 3),
        droppedIterations: 0,
        bytes: { in: 418_220_133, out: 12_604_551 },
      },
      latency: { ...latency(41, 1.6), count: requests },
      serviceTime: { ...latency(36, 1.2), count: requests },
      statusCodes: { '200': requests - failures - 120, '201': 120, '404': 31, '502': 9, '503': 28 },
      errors: { byKind: { timeout: 412, http_5xx: 37, http_4xx: 31 }, byCheck: { 'status is 200': 68, [`body has ${HOSTILE}`]: 3 } },
      timingBreakdown: { connectMs: 1.84, tlsMs: 6.1, firstByteMs: 44.2, downloadMs: 3.7 },
      generator: { saturated: true, saturatedIntervals: 2, maxEventLoopLagMs: 38.5, maxSendLatenessMs: 61.2 },
      rateControl: [{ scenario: 'browse', targetIterations: 6000, startedIterations: 5912, droppedIterations: 88, targetRate: 100, achievedRate: 98.5 }],
      thresholds: [
        { scenario: 'checkout', step: null, expression: 'p95 < 500', observed: 812.4, passed: false },
        { scenario: 'checkout', step: null, expression: 'errorRate < 0.05', observed: 0.0123, passed: true },
        { scenario: 'checkout', step: 'POST /checkout', expression: 'p99 < 1500', observed: 2410, passed: false, abortOnFail: true },
        { scenario: 'browse', step: null, expression: 'rps > 50', observed: 98.5, passed: true },
        { scenario: 'browse', step: null, expression: 'checks > 0.99', observed: null, passed: false },
      ],
      scenarios: [
        { name: 'checkout', steps: [step('GET /products', 21_000, 150, 31), step('POST /cart', 14_000, 96, 44), step('POST /checkout', 7_000, 180, 88)] },
        { name: 'browse', steps: [step('GET /', 6_000, 4, 12), step(`GET /search?q=${HOSTILE}`, 5_912, 50, 57)] },
      ],
    },
    series: rows,
    errors: [
      {
        kind: 'timeout',
        count: 412,
        samples: [
          { request: 'POST https://shop.example.test/checkout', status: null, message: 'no response within 2000 ms', zone: 'eu-west', step: 'POST /checkout', at: '2026-03-02T10:15:29.418Z' },
          { request: 'POST https://shop.example.test/cart', status: null, message: 'no response within 2000 ms', zone: 'us-east', step: 'POST /cart', at: '2026-03-02T10:15:31.020Z' },
          { request: `GET https://shop.example.test/search?q=${HOSTILE}`, status: null, message: `socket hang up ${HOSTILE}`, zone: 'eu-west', step: 'GET /search', at: '2026-03-02T10:15:33.771Z' },
        ],
      },
      {
        kind: 'http_5xx',
        count: 37,
        samples: [
          { request: 'POST https://shop.example.test/checkout', status: 503, message: 'Service Unavailable', zone: 'us-east', step: 'POST /checkout', at: '2026-03-02T10:15:30.002Z' },
          { request: 'POST https://shop.example.test/checkout', status: 502, message: 'Bad Gateway', zone: 'eu-west', step: 'POST /checkout', at: '2026-03-02T10:15:32.551Z' },
        ],
      },
      { kind: 'http_4xx', count: 31, samples: [{ request: 'GET https://shop.example.test/products/9931', status: 404, message: 'Not Found', zone: 'us-east', step: 'GET /products', at: '2026-03-02T10:15:12.090Z' }] },
    ],
  };
}

/** Loads `html` from a local server and records every request the page makes and every console error. */
async function open(browser: Browser, html: string) {
  const served = await serveHtml(html);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(served.url, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  return {
    page,
    served,
    requests,
    problems,
    close: async () => {
      await context.close();
      await served.close();
    },
  };
}

/** For each chart: its id, how many of its lines have a non-empty box, and its bands. */
function drawnCharts(page: Page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('svg.chart')).map((svg) => {
      const lines = Array.from(svg.querySelectorAll('path, polyline')) as SVGGraphicsElement[];
      const drawn = lines.filter((l) => {
        const b = l.getBBox();
        return b.width > 0 && Number.isFinite(b.width) && Number.isFinite(b.height);
      }).length;
      return { id: svg.closest('figure')?.id ?? '', drawn, bands: svg.querySelectorAll('rect.band').length, empty: svg.classList.contains('chart-empty') };
    }),
  );
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

it('loads nothing but itself, draws every chart, and shows the verdict and the thresholds', async () => {
  const html = renderReportPage(fixture());
  const view = await open(browser, html);
  try {
    const { page } = view;
    expect(view.requests).toEqual([view.served.url]);
    expect(view.served.hits).toEqual(['GET /report.html']);
    expect(view.problems).toEqual([]);

    const charts = await drawnCharts(page);
    expect(charts.map((c) => c.id)).toEqual(['chart-throughput', 'chart-latency', 'chart-minions']);
    for (const c of charts) {
      expect(c.empty).toBe(false);
      expect(c.drawn).toBeGreaterThanOrEqual(1);
      expect(c.bands).toBe(1); // intervals 30 and 31 are adjacent: one band
    }

    const badge = page.locator('#result-badge');
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.innerText()).toContain('FAILED');
    const table = page.locator('#threshold-table');
    expect(await table.isVisible()).toBe(true);
    expect(await table.locator('tbody tr').count()).toBe(5);
    expect(await table.locator('.pill.fail').count()).toBe(3);
    expect(await page.locator('#saturation-warning').isVisible()).toBe(true);

    // Hostile names and messages stay text: the only script is the page's own, no <img>, no handler ran.
    const dom = await page.evaluate(() => ({ scripts: document.scripts.length, imgs: document.images.length, title: document.title, h1: document.querySelector('h1')?.textContent }));
    expect(dom).toEqual({ scripts: 1, imgs: 0, title: expect.stringContaining('Checkout peak rehearsal <img'), h1: expect.stringContaining('<script>') });

    // The hover tooltip shows the interval's numbers, and says when the generator was saturated.
    const area = page.locator('#chart-latency rect.hover-area');
    await area.scrollIntoViewIfNeeded();
    const box = (await area.boundingBox())!;
    await area.hover({ position: { x: box.width * (30.5 / 60), y: box.height / 2 } });
    const tip = page.locator('#tip');
    expect(await tip.isVisible()).toBe(true);
    expect(await tip.innerText()).toMatch(/0:30[\s\S]*p95: [\d.]+ (ms|s)[\s\S]*generator saturated/);
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));

    mkdirSync(join(root, '.barrage'), { recursive: true });
    await page.screenshot({ path: join(root, '.barrage', 'report-page.png'), fullPage: true });
    writeFileSync(join(root, '.barrage', 'report-page.html'), html);
    expect(view.requests).toEqual([view.served.url]); // still nothing else after hovering
  } finally {
    await view.close();
  }
});

it('a campaign with no interval says "No data" and still loads nothing else', async () => {
  const data = fixture();
  data.series = [];
  data.report.generator = { saturated: false, saturatedIntervals: 0, maxEventLoopLagMs: 0, maxSendLatenessMs: 0 };
  const view = await open(browser, renderReportPage(data));
  try {
    expect(view.requests).toEqual([view.served.url]);
    expect(view.problems).toEqual([]);
    const charts = await drawnCharts(view.page);
    expect(charts).toHaveLength(3);
    for (const c of charts) expect(c).toMatchObject({ empty: true, drawn: 0, bands: 0 });
    expect(await view.page.locator('svg.chart-empty text.no-data').first().isVisible()).toBe(true);
  } finally {
    await view.close();
  }
});
