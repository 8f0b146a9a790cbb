/**
 * HTTP hygiene (docs/http.md): security headers and no framework banner on every answer,
 * CORS only for the origins in CORS_ORIGINS, and a request id on every response and on the
 * head's log lines for that request (its own access line and a line a service writes while
 * serving it).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { campaignDefinitionSchema, campaignEventsSchema, campaignPageSchema, campaignSummarySchema, factoriesSchema, healthSchema, storedScenarioSchema, zonesViewSchema } from '@barrage/contracts';
import { startFactory, startHead, stopChild, waitFor, type Api } from './support/cluster';

jest.setTimeout(120_000);

const ALLOWED = 'http://allowed.example.test:3000';
const tag = `hyg-${randomUUID().slice(0, 6)}`;
const headLog = join(__dirname, '..', '.barrage', 'logs', 'e2e', `head-${tag}.log`);
const zone = `hyg-${randomUUID().slice(0, 6)}`;
let open: Api;
/** The campaign created by the request id test, for the log tests after it. */
let campaignKey = '';
let closed: Api;
const children: ChildProcess[] = [];

beforeAll(async () => {
  const withCors = await startHead(tag, { CORS_ORIGINS: `${ALLOWED},https://other.example.test` });
  const without = await startHead(`${tag}-nocors`);
  open = withCors.api;
  closed = without.api;
  children.push(withCors.process, without.process);
  children.push(await startFactory(open, { zone, id: `${zone}-f1`, env: { WARM_UP_REQUESTS: '0' } }));
});

afterAll(async () => {
  for (const c of children.reverse()) await stopChild(c);
});

function logLines(file = headLog): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('security headers', () => {
  it.each(['/health', '/campaigns', '/no-such-route', '/docs'])('GET %s carries them and no X-Powered-By', async (path) => {
    const res = await closed.fetch(path, { headers: { accept: 'text/html' } });
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    await res.arrayBuffer();
  });
});

describe('CORS', () => {
  it('is off by default: no Access-Control-Allow-Origin, preflight not answered as allowed', async () => {
    const get = await closed.fetch(`/campaigns`, { headers: { origin: ALLOWED } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${closed.base}/campaigns`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('allows a listed origin, preflight included, and exposes the request id', async () => {
    const get = await open.fetch(`/campaigns`, { headers: { origin: ALLOWED } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(get.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/i);
    const pre = await fetch(`${open.base}/campaigns`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' } });
    expect(pre.status).toBeLessThan(300);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
  });

  it('refuses an origin that is not listed', async () => {
    const res = await open.fetch(`/campaigns`, { headers: { origin: 'http://evil.example.test' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('request id', () => {
  it('is generated when absent, and a bad incoming one is replaced', async () => {
    const ids = new Set<string>();
    for (const header of [undefined, 'has spaces in it', 'x'.repeat(200)]) {
      const res = await open.fetch(`/zones`, { headers: header ? { 'x-request-id': header } : {} });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      ids.add(id!);
    }
    expect(ids.size).toBe(3);
  });

  it('is kept from the caller, answered on errors too, and on the log lines of that request', async () => {
    const notFound = await open.fetch(`/campaigns/nope-${tag}`, { headers: { 'x-request-id': `nf-${tag}` } });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-request-id')).toBe(`nf-${tag}`);
    const badJson = await open.fetch(`/scenarios`, { method: 'POST', headers: { 'x-request-id': `bad-${tag}`, 'content-type': 'application/json' }, body: '{' });
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('x-request-id')).toBe(`bad-${tag}`);

    const scenario = `hyg-${tag}`;
    expect((await open.request('POST', '/scenarios', { name: scenario, variables: { base: 'http://127.0.0.1:9' }, steps: [{ name: 'get', method: 'GET', url: '{{base}}/x' }] })).status).toBe(201);
    const id = `create-${tag}`;
    const res = await open.fetch(`/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify({ name: scenario, manualStart: true, scenarios: { [scenario]: { minionsCount: 1, zones: { [zone]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } } }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe(id);
    const { key } = campaignSummarySchema.parse(await res.json());

    // The service's own line (written while serving) and the access line, both with the id.
    await waitFor('the access line of the request', async () => logLines().some((l) => l.requestId === id && l.msg === 'request'), 10_000);
    const lines = logLines().filter((l) => l.requestId === id);
    expect(lines).toEqual(expect.arrayContaining([
      expect.objectContaining({ msg: 'campaign queued', campaign: key }),
      expect.objectContaining({ msg: 'request', method: 'POST', path: '/campaigns', status: 201 }),
    ]));
    expect(logLines().filter((l) => l.requestId === `nf-${tag}`)).toEqual([expect.objectContaining({ msg: 'request', status: 404 })]);
    // Lines written outside any request carry no request id.
    expect(logLines().some((l) => l.msg === 'head listening' && !('requestId' in l))).toBe(true);
    expect((await open.request('POST', `/campaigns/${key}/abort`, { hard: true })).status).toBe(202);
    campaignKey = key;

    // The answers match the schemas the OpenAPI document shows (libs/contracts/src/responses.ts).
    campaignDefinitionSchema.parse((await open.request('GET', `/campaigns/${key}/definition`)).body);
    campaignEventsSchema.parse((await open.request('GET', `/campaigns/${key}/logs`)).body);
    campaignPageSchema.parse((await open.request('GET', `/campaigns?filter=${scenario}`)).body);
    storedScenarioSchema.parse((await open.request('GET', `/scenarios/${scenario}`)).body);
    expect(factoriesSchema.parse((await open.request('GET', '/factories')).body).some((f) => f.zone === zone)).toBe(true);
    zonesViewSchema.parse((await open.request('GET', '/zones')).body);
    healthSchema.parse((await open.request('GET', '/health')).body);
  });
});

describe('log lines', () => {
  const factoryLog = join(__dirname, '..', '.barrage', 'logs', 'e2e', `${zone}-f1.log`);

  it('of a factory all carry its id and zone; those of a chunk carry its campaign key', async () => {
    expect(campaignKey).not.toBe('');
    await waitFor('the factory to log its chunk', async () => logLines(factoryLog).some((l) => l.msg === 'chunk accepted'), 15_000);
    const lines = logLines(factoryLog);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect({ msg: l.msg, factory: l.factory, zone: l.zone }).toEqual({ msg: l.msg, factory: `${zone}-f1`, zone });
    const chunkLines = lines.filter((l) => 'chunk' in l);
    expect(chunkLines.length).toBeGreaterThan(0);
    for (const l of chunkLines) expect({ msg: l.msg, campaign: l.campaign }).toEqual({ msg: l.msg, campaign: campaignKey });
  });

  it('are JSON by default, and pino-pretty text with LOG_FORMAT=pretty', async () => {
    const prettyTag = `${tag}-pretty`;
    const pretty = await startHead(prettyTag, { LOG_FORMAT: 'pretty' });
    children.push(pretty.process);
    await pretty.api.fetch(`/zones`, { headers: { 'x-request-id': `pretty-${tag}` } });
    const file = join(__dirname, '..', '.barrage', 'logs', 'e2e', `head-${prettyTag}.log`);
    await waitFor('the pretty access line', async () => readFileSync(file, 'utf8').includes(`pretty-${tag}`), 10_000);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/INFO.*head listening/);
    expect(text).toMatch(new RegExp(`requestId: "pretty-${tag}"`));
    expect(text.split('\n').filter((l) => l.startsWith('{"level"'))).toEqual([]);
    expect(logLines().length).toBeGreaterThan(0); // the default head's file is JSON lines
  });
});
