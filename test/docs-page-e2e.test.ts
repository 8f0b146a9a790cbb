/**
 * The API reference at /docs in headless Chromium: Swagger UI loads from the head alone (no
 * request leaves 127.0.0.1, no CSP violation), lists every operation of /openapi.json, filters
 * by tag, and "Try it out" sends a real request to the head.
 */
import type { ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startHead, stopChild, type Api } from './support/cluster';

jest.setTimeout(120_000);

let api: Api;
let head: ChildProcess;
let browser: Browser;
let page: Page;
const outside: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  ({ api, process: head } = await startHead());
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('request', (r) => {
    if (!r.url().startsWith(api.base) && !r.url().startsWith('data:')) outside.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${api.base}/docs`);
  await page.waitForSelector('.opblock', { timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  if (head) await stopChild(head);
});

async function listed(): Promise<string[]> {
  return page.$$eval('.opblock', (blocks) =>
    blocks.map((b) => `${b.querySelector('.opblock-summary-method')?.textContent?.trim()} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`),
  );
}

it('lists every operation of the document', async () => {
  const doc = (await api.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json')).body;
  const expected = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
  expect(expected.length).toBeGreaterThan(25);
  expect((await listed()).sort()).toEqual(expected.sort());
  expect(await page.title()).toBe('Barrage API reference');
});

it('loads nothing from outside the head and breaks no rule of its CSP', () => {
  expect(outside).toEqual([]);
  expect(problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([]);
  expect(problems).toEqual([]);
});

it('filters the operations by tag', async () => {
  await page.fill('.operation-filter-input', 'factories');
  await page.waitForFunction(() => document.querySelectorAll('.opblock').length === 2);
  expect((await listed()).sort()).toEqual(['GET /factories', 'GET /zones']);
  await page.fill('.operation-filter-input', '');
  await page.waitForFunction(() => document.querySelectorAll('.opblock').length > 25);
});

it('"Try it out" sends the request to the head and shows its answer', async () => {
  const block = page.locator('.opblock', { has: page.locator('.opblock-summary-path[data-path="/health"]') });
  await block.locator('.opblock-summary').click();
  await block.locator('button.try-out__btn').click();
  await block.locator('button.execute').click();
  const status = block.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor({ timeout: 15_000 });
  expect(['200', '503']).toContain((await status.textContent())?.trim());
  expect(await block.locator('.live-responses-table').textContent()).toContain('"services"');
});
