/**
 * The web page at `/` in headless Chromium against a real head, a factory and a local
 * counting target: the campaigns list, a campaign's live charts filling as intervals arrive,
 * its thresholds, execution and links, and the factories page. The page is served under a
 * strict Content-Security-Policy ('self' only), so an inline script or style, or any request
 * elsewhere, shows up as a console error, and the test fails on any console error. Screenshots
 * of the three views are left in .barrage/web-page-*.png to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { launchChromium } from './support/browser';
import { startCluster, waitFor, waitForEnd, type Cluster } from './support/cluster';

jest.setTimeout(180_000);

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'";

let cluster: Cluster;
let target: RunningTarget;
let browser: Browser;

beforeAll(async () => {
  [target, cluster, browser] = await Promise.all([startTarget(), startCluster({ factories: [{ zone: 'web', capacity: 100 }] }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  const codes = await cluster?.stop();
  await target?.close();
  expect(codes).toEqual(codes?.map(() => 0));
});

interface View {
  page: Page;
  context: BrowserContext;
  /** Console errors and warnings, page errors and failed requests: must stay empty. */
  problems: string[];
  requests: Request[];
}

/**
 * A fresh browser context whose page gets the head's answers with a strict CSP added; with
 * `withKey` the page starts with the cluster's API key saved, as a user who typed it once.
 */
async function openPage(withKey = true): Promise<View> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  if (withKey) await context.addInitScript((k) => localStorage.setItem('barrage.apiKey', k), cluster.api.key);
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: Request[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    // The page closes its event stream itself when a campaign completes, and navigation cancels polls.
    if (!/ERR_ABORTED/.test(r.failure()?.errorText ?? '')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('request', (r) => requests.push(r));
  await page.route(`${cluster.api.base}/**`, async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CSP } });
  });
  return { page, context, problems, requests };
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const dataValue = async (page: Page, selector: string) => Number(await page.locator(selector).getAttribute('data-value'));
const points = async (page: Page, id: string) => Number(await page.locator(`#${id}`).getAttribute('data-points'));

async function saveScenario(): Promise<void> {
  const res = await cluster.api.request('POST', '/scenarios', {
    name: 'web-page-get',
    variables: { base: target.url },
    loop: true,
    steps: [{ name: 'hello', url: '{{base}}/slow/50', checks: [{ status: [200] }] }],
  });
  expect(res.status).toBe(201);
}

/** About 9 s of gentle load: 8 minions ramped over 2 s, replaying against a target that answers in 50 ms. */
async function startCampaign(name: string): Promise<string> {
  const created = await cluster.api.request('POST', '/campaigns', {
    name,
    startOffsetMs: 500,
    scenarios: {
      'web-page-get': {
        zones: { [cluster.zones[0]!]: 100 },
        executionProfile: { profile: 'STAGE', stages: [{ minionsCount: 8, rampUpDurationMs: 2000, totalDurationMs: 9000, resolutionMs: 500 }] },
      },
    },
    // Two pass; `p50 < 1` cannot (the target answers in 50 ms): it is breached live and fails the campaign.
    thresholds: { 'web-page-get': ['errorRate < 0.01', 'p99 < 5000', 'p50 < 1'] },
  });
  expect(created.status).toBe(201);
  return created.body.key as string;
}

it('lists campaigns, draws a running campaign live until its end, shows its thresholds, execution and links, and lists the factory', async () => {
  await saveScenario();
  const view = await openPage();
  const { page } = view;
  try {
    await page.goto(`${cluster.api.base}/`, { waitUntil: 'load' });
    await page.locator('#campaigns-status').filter({ hasText: 'refreshed' }).waitFor({ timeout: 10_000 });

    // A campaign started through the API appears in the list by itself (the list refreshes).
    const key = await startCampaign('web page <b>live</b>');
    const row = page.locator(`#campaigns-table tr[data-key="${key}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('a.campaign-link').innerText()).toBe('web page <b>live</b>'); // text, never markup
    await row.locator('a.campaign-link').click();
    await page.waitForURL(`**/#/campaigns/${key}`);
    await page.locator('#campaign-name', { hasText: 'web page <b>live</b>' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#campaign-name b').count()).toBe(0);

    // While it runs, the charts gain points and the request count rises, interval by interval.
    const samples: { points: number; requests: number; state: string; breached: number }[] = [];
    for (let i = 0; i < 300; i++) {
      const state = await text(page, '#stream-state');
      const breached = await page.locator('#threshold-table .badge-failed').count();
      samples.push({ points: await points(page, 'chart-rps'), requests: (await dataValue(page, '#live-requests')) || 0, state, breached });
      if (state === 'ended') break;
      await page.waitForTimeout(200);
    }
    expect(samples.at(-1)!.state).toBe('ended');
    const running = samples.filter((s) => s.state !== 'ended' && s.points > 0);
    expect(new Set(running.map((s) => s.points)).size).toBeGreaterThanOrEqual(3); // seen growing while it ran, not drawn at once
    expect(new Set(samples.map((s) => s.requests)).size).toBeGreaterThanOrEqual(4);
    expect(running.some((s) => s.breached === 1)).toBe(true); // the live breach, shown before the end
    for (let i = 1; i < samples.length; i++) {
      expect(samples[i]!.points).toBeGreaterThanOrEqual(samples[i - 1]!.points);
      expect(samples[i]!.requests).toBeGreaterThanOrEqual(samples[i - 1]!.requests);
    }

    // At the end the page agrees with the report and with what the target counted.
    const done = await waitForEnd(cluster.api, key);
    expect([done.status, done.result]).toEqual(['completed', 'failed']);
    const report = (await cluster.api.request('GET', `/campaigns/${key}/report`)).body;
    const intervals = (await cluster.api.request('GET', `/campaigns/${key}/intervals`)).body as unknown[];
    expect(report.summary.requests).toBe(target.stats.total);
    expect(report.summary.requests).toBeGreaterThan(100);
    expect(await dataValue(page, '#live-requests')).toBe(report.summary.requests);
    expect(await dataValue(page, '#live-errors')).toBe(0);
    for (const id of ['chart-rps', 'chart-latency', 'chart-minions', 'chart-errors']) {
      await page.waitForFunction(([el, n]) => document.getElementById(el)?.dataset.points === String(n), [id, intervals.length] as const, { timeout: 5_000 });
    }
    expect(await page.locator('#charts canvas').count()).toBe(4);

    // The verdict and each threshold's outcome.
    await page.locator('#verdict-text').waitFor({ timeout: 10_000 });
    expect(await text(page, '#verdict-text')).toBe('FAILED: 2 of 3 thresholds passed');
    expect(await page.locator('#threshold-table tbody tr[data-passed="true"]').count()).toBe(2);
    const failedRow = page.locator('#threshold-table tbody tr[data-passed="false"]');
    expect(await failedRow.innerText()).toMatch(/p50 < 1\s+[\d.]+ ms\s+failed/);
    expect(await text(page, '#campaign-status')).toBe('completed');
    expect(await text(page, '#campaign-result')).toBe('failed');

    // The execution: the zone, its chunk and the factory that ran it.
    const chunkRow = page.locator(`#execution-table tr[data-zone="${cluster.zones[0]}"]`);
    await chunkRow.filter({ hasText: 'finished' }).first().waitFor({ timeout: 10_000 });
    expect(await chunkRow.count()).toBeGreaterThanOrEqual(1);
    expect(await chunkRow.first().locator('.factory-cell').innerText()).toContain(cluster.factories[0]!.id);

    // The links lead to the report page and the CSVs.
    for (const [id, path] of [
      ['#link-report', `/campaigns/${key}/report.html`],
      ['#link-intervals-csv', `/campaigns/${key}/intervals.csv`],
      ['#link-results-csv', `/campaigns/${key}/results.csv`],
    ] as const) {
      // The page's links carry the key (a browser cannot add a header to a link) and work as they are.
      const href = await page.locator(id).getAttribute('href');
      expect(href).toBe(`${path}?access_token=${cluster.api.key}`);
      expect((await fetch(cluster.api.base + href)).status).toBe(200);
    }

    mkdirSync(join(__dirname, '..', '.barrage'), { recursive: true });
    await page.screenshot({ path: join(__dirname, '..', '.barrage', 'web-page-campaign.png'), fullPage: true });

    // The factories page lists the factory and its zone.
    await page.locator('a[data-nav="factories"]').click();
    const factoryRow = page.locator(`#factories-table tr[data-factory="${cluster.factories[0]!.id}"]`);
    await factoryRow.waitFor({ timeout: 10_000 });
    expect(await factoryRow.innerText()).toContain(cluster.zones[0]!);
    await page.screenshot({ path: join(__dirname, '..', '.barrage', 'web-page-factories.png') });
    expect(await page.locator(`#zones-table tr[data-zone="${cluster.zones[0]}"]`).count()).toBe(1);

    // Back on the list, the campaign shows its result.
    await page.locator('a[data-nav="campaigns"]').click();
    await page.locator(`#campaigns-table tr[data-key="${key}"][data-status="completed"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator(`#campaigns-table tr[data-key="${key}"] .badge-failed`).innerText()).toBe('failed');
    await page.screenshot({ path: join(__dirname, '..', '.barrage', 'web-page-campaigns.png') });

    expect(view.problems).toEqual([]);
    const origins = new Set(view.requests.map((r) => new URL(r.url()).origin));
    expect([...origins]).toEqual([cluster.api.base]);
  } finally {
    await view.context.close();
  }
});

it('sends the API key from the key field as a Bearer header, and on the event stream as access_token; a late client gets the whole series', async () => {
  const key = await startCampaign('web page late client');
  const done = await waitForEnd(cluster.api, key);
  expect(done.status).toBe('completed');
  const report = (await cluster.api.request('GET', `/campaigns/${key}/report`)).body;
  const view = await openPage(false);
  const { page } = view;
  const apiKey = cluster.api.key;
  try {
    await page.goto(`${cluster.api.base}/#/factories`, { waitUntil: 'load' });
    await page.locator('#key-input').fill(apiKey);
    await page.locator('#key-form button').click();
    await expect(page.locator('#key-state').innerText()).resolves.toBe('key set');
    await page.goto(`${cluster.api.base}/#/campaigns/${key}`);
    await page.locator('#stream-state').filter({ hasText: 'ended' }).waitFor({ timeout: 20_000 });
    expect(await dataValue(page, '#live-requests')).toBe(report.summary.requests);
    const intervals = (await cluster.api.request('GET', `/campaigns/${key}/intervals`)).body as unknown[];
    await page.waitForFunction((n) => document.getElementById('chart-latency')?.dataset.points === String(n), intervals.length, { timeout: 5_000 });

    const api = view.requests.filter((r) => new URL(r.url()).pathname.startsWith('/campaigns/'));
    const fetches = api.filter((r) => r.resourceType() === 'fetch');
    expect(fetches.length).toBeGreaterThanOrEqual(3); // summary, definition, execution
    for (const r of fetches) expect(r.headers()['authorization']).toBe(`Bearer ${apiKey}`);
    const live = api.filter((r) => new URL(r.url()).pathname === `/campaigns/${key}/live`);
    expect(live.length).toBeGreaterThanOrEqual(1);
    expect(new URL(live[0]!.url()).searchParams.get('access_token')).toBe(apiKey);
    expect(await page.locator('#link-report').getAttribute('href')).toBe(`/campaigns/${key}/report.html?access_token=${apiKey}`);
    // The link works as it is: the head takes the key from the query.
    expect((await fetch(`${cluster.api.base}/campaigns/${key}/report.html?access_token=${apiKey}`)).status).toBe(200);
    expect((await fetch(`${cluster.api.base}/campaigns/${key}/report.html`)).status).toBe(401);

    // The key is kept across reloads (localStorage) and can be cleared.
    await page.reload();
    expect(await page.locator('#key-input').inputValue()).toBe(apiKey);
    await page.locator('#key-input').fill('');
    await page.locator('#key-form button').click();
    expect(await page.evaluate(() => localStorage.getItem('barrage.apiKey'))).toBeNull();
    // Until the key is typed, and once it is cleared, the head refuses the page's calls (401),
    // as it refuses any client without a key; nothing else may go wrong.
    expect(view.problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    expect(view.problems.length).toBeGreaterThan(0);

    // An unknown campaign says so (Chromium logs the 404 answer itself, and nothing else is logged).
    await page.locator('#key-input').fill(apiKey);
    await page.locator('#key-form button').click();
    view.problems.length = 0;
    await page.goto(`${cluster.api.base}/#/campaigns/no-such-campaign`);
    await page.locator('h1', { hasText: 'Campaign not found' }).waitFor({ timeout: 10_000 });
    expect(view.problems.every((p) => /404 \(Not Found\)/.test(p))).toBe(true);
    expect(view.requests.some((r) => r.url().includes('/campaigns/no-such-campaign/live'))).toBe(false);
  } finally {
    await view.context.close();
  }
});

it('serves the page with content types and revalidation, and leaves API routes and unknown paths to the API', async () => {
  const base = cluster.api.base;
  const index = await fetch(`${base}/`);
  expect(index.status).toBe(200);
  expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(index.headers.get('cache-control')).toBe('no-cache');
  const html = await index.text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
  expect(html).not.toMatch(/\son[a-z]+=|style=/); // no inline handler or style

  for (const [path, type] of [
    ['/ui/app.js', 'text/javascript; charset=utf-8'],
    ['/ui/style.css', 'text/css; charset=utf-8'],
    ['/ui/vendor/uPlot.esm.js', 'text/javascript; charset=utf-8'],
    ['/ui/vendor/uPlot.min.css', 'text/css; charset=utf-8'],
  ]) {
    const res = await fetch(base + path);
    expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 200, type]);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    // As a browser revalidates (fetch would add `cache-control: no-cache`, which asks for a full answer).
    expect((await fetch(base + path, { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } })).status).toBe(304);
  }
  const missing = await fetch(`${base}/ui/nothing.js`);
  expect(missing.status).toBe(404);
  expect((await missing.json()).error.code).toBe('NOT_FOUND');
  expect((await fetch(`${base}/ui/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
  expect((await fetch(`${base}/health`)).headers.get('content-type')).toMatch(/^application\/json/);
  expect((await fetch(`${base}/campaigns`)).headers.get('content-type')).toMatch(/^application\/json/);
  expect((await fetch(`${base}/docs`)).headers.get('content-type')).toMatch(/^application\/json/);
  expect((await fetch(`${base}/metrics`)).headers.get('content-type')).toMatch(/^text\/plain/);
});
