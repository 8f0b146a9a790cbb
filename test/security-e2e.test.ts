/**
 * Security end to end (docs/security.md): API keys on every route the router has, scopes,
 * expiry and revocation, failed attempts limited; a scenario secret that never shows in any
 * answer, log line, job or stream entry in Redis, or report; the target allow-list at save
 * time and on the factory after templates resolve.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { requireEnv, startFactory, startHead, stopChild, waitFor, waitForEnd, type Api } from './support/cluster';

jest.setTimeout(240_000);

const tag = randomUUID().slice(0, 6);
const logDir = join(__dirname, '..', '.barrage', 'logs', 'e2e');
const headLog = () => join(logDir, `head-sec-${tag}.log`);
const zone = `sec-${tag}`;
const factoryId = `${zone}-f0`;
/** The allow-list of this file's head and factory: the target's address, not `localhost`. */
const ALLOWLIST = '127.0.0.1/32, *.allowed.test';

let head: Awaited<ReturnType<typeof startHead>>;
let api: Api;
let factory: Awaited<ReturnType<typeof startFactory>>;
let target: RunningTarget;

beforeAll(async () => {
  target = await startTarget();
  // Debug logs: Nest writes every route it maps, which is how this file enumerates them.
  head = await startHead(`sec-${tag}`, { ...requireEnv(), LOG_LEVEL: 'debug', TARGET_ALLOWLIST: ALLOWLIST, AUTH_FAILURES_PER_MINUTE: '8' });
  api = head.api;
  factory = await startFactory(api, { zone, id: factoryId, env: { TARGET_ALLOWLIST: ALLOWLIST } });
});

afterAll(async () => {
  const codes = await Promise.all([factory && stopChild(factory, 20_000), head && stopChild(head.process, 20_000)]);
  await target?.close();
  expect(codes).toEqual(codes.map(() => 0));
});

/** Every route the head's router mapped ("Mapped {/path, METHOD} route"), params filled in. */
function mappedRoutes(): { method: string; path: string; template: string }[] {
  const lines = readFileSync(headLog(), 'utf8').split('\n').filter((l) => l.includes('Mapped {'));
  const routes = lines.map((l) => /Mapped \{([^,]+), (\w+)\} route/.exec(l)!).map((m) => ({ template: m[1]!, method: m[2]! }));
  const unique = [...new Map(routes.map((r) => [`${r.method} ${r.template}`, r])).values()];
  return unique.map((r) => ({ ...r, path: r.template.replace(/:(\w+)/g, (_, name: string) => (name === 'file' ? 'app.js' : `nope-${name}`)) }));
}

/** Routes that need no key: they hold no campaign data (docs/security.md#api-keys). */
const PUBLIC = [/^\/health$/, /^\/metrics$/, /^\/docs/, /^\/openapi\.json$/, /^\/$/, /^\/ui\//];

async function call(method: string, path: string, key?: string, body?: unknown) {
  const res = await fetch(api.base + path, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
}

async function newKey(scope: 'read' | 'write' | 'admin', extra: Record<string, unknown> = {}) {
  const res = await api.request('POST', '/api-keys', { name: `sec-${scope}`, scope, ...extra });
  expect(res.status).toBe(201);
  expect(res.body.key).toMatch(/^brg_/);
  return res.body as { id: string; key: string; prefix: string };
}

describe('API keys', () => {
  it('every route of the router answers 401 without a key, and a read key gets 403 on every write route', async () => {
    const routes = mappedRoutes();
    expect(routes.length).toBeGreaterThan(40);
    const read = await newKey('read');
    const write = await newKey('write');
    const refusedWithout: string[] = [];
    for (const r of routes) {
      const isPublic = PUBLIC.some((p) => p.test(r.template));
      const res = await call(r.method, r.path);
      if (isPublic) {
        expect({ route: `${r.method} ${r.template}`, status: res.status === 401 }).toEqual({ route: `${r.method} ${r.template}`, status: false });
        continue;
      }
      expect({ route: `${r.method} ${r.template}`, status: res.status }).toEqual({ route: `${r.method} ${r.template}`, status: 401 });
      if (r.method !== 'HEAD') expect(res.body.error.code).toBe('UNAUTHORIZED');
      refusedWithout.push(`${r.method} ${r.template}`);
      const writes = r.method !== 'GET' && r.method !== 'HEAD';
      const admin = /^\/(api-keys|webhooks)/.test(r.template);
      if (writes || admin) {
        const body = writes ? {} : undefined;
        const withRead = await call(r.method, r.path, read.key, body);
        expect({ route: `${r.method} ${r.template}`, status: withRead.status }).toEqual({ route: `${r.method} ${r.template}`, status: 403 });
      }
      if (admin) {
        const withWrite = await call(r.method, r.path, write.key, writes ? {} : undefined);
        expect({ route: `${r.method} ${r.template}`, status: withWrite.status }).toEqual({ route: `${r.method} ${r.template}`, status: 403 });
      }
    }
    expect(refusedWithout).toEqual(expect.arrayContaining(['POST /campaigns', 'GET /campaigns/:key/live', 'POST /api-keys', 'DELETE /webhooks/:id']));
    // A read key reads.
    expect((await call('GET', '/campaigns', read.key)).status).toBe(200);
  });

  it('a key works until it is revoked, or until it expires; the list never shows a secret', async () => {
    const k = await newKey('read');
    expect((await call('GET', '/factories', k.key)).status).toBe(200);
    expect((await api.request('DELETE', `/api-keys/${k.id}`)).status).toBe(204);
    const revoked = await call('GET', '/factories', k.key);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);
    expect((await api.request('DELETE', '/api-keys/00000000-0000-0000-0000-000000000000')).status).toBe(404);

    const brief = await newKey('read', { expiresIn: '2s' });
    expect((await call('GET', '/factories', brief.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    const expired = await call('GET', '/factories', brief.key);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);

    const list = await api.request('GET', '/api-keys');
    expect(list.body.find((x: { id: string }) => x.id === k.id)).toMatchObject({ prefix: k.prefix, revokedAt: expect.any(String) });
    expect(JSON.stringify(list.body)).not.toContain(k.key);
    expect((await api.request('POST', '/api-keys', { name: 'x', scope: 'root' })).status).toBe(400);
    expect((await api.request('POST', '/api-keys', { name: 'x', scope: 'read', expiresIn: 'soon' })).body.error.details[0].path).toBe('expiresIn');
  });
});

describe('secrets', () => {
  it("a secret's value is in no answer, log line, Redis job or stream entry, or report — and reaches the target", async () => {
    const secret = `sk-LEAK-${tag}-${randomUUID()}`;
    const name = `sec-scn-${tag}`;
    const saved = await api.request('POST', '/scenarios', {
      name,
      variables: { base: target.url },
      secrets: { apiKey: secret },
      steps: [
        { name: 'get', url: '{{base}}/private', headers: { 'x-api-key': '{{secret.apiKey}}' }, checks: [{ status: [200] }] },
        // Fails on purpose: its sample names the request, whose URL holds the secret.
        { name: 'leaky', url: '{{base}}/status/500?k={{secret.apiKey}}', checks: [{ status: [200] }] },
      ],
    });
    expect(saved.status).toBe(201);
    expect(saved.body.secrets).toEqual({ apiKey: '********' });
    const tried = await api.request('POST', `/scenarios/${name}/try`, {});
    expect(tried.body.steps[0].request.headers['x-api-key']).toBe('********');
    const created = await api.request('POST', '/campaigns', { name: `sec ${tag}`, scenarios: { [name]: { minionsCount: 3, zones: { [zone]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } } });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    // While the campaign's jobs are in Redis: their data holds the secret sealed only.
    const redis = new Redis(requireEnv().REDIS_URL, { maxRetriesPerRequest: null });
    try {
      const done = await waitForEnd(api, key);
      expect(done.status).toBe('completed');
      expect(target.stats.byPath['/private']).toBe(3 + 1); // three minions and the dry run
      const everything: string[] = [];
      for (const k of await redis.keys('barrage:*')) {
        const type = await redis.type(k);
        if (type === 'hash') everything.push(JSON.stringify(await redis.hgetall(k)));
        else if (type === 'string') everything.push((await redis.get(k)) ?? '');
        else if (type === 'stream') everything.push(JSON.stringify(await redis.xrange(k, '-', '+')));
        else if (type === 'list') everything.push(JSON.stringify(await redis.lrange(k, 0, -1)));
        else if (type === 'zset') everything.push(JSON.stringify(await redis.zrange(k, 0, -1)));
      }
      const redisText = everything.join('\n');
      expect(redisText).toContain(name); // the jobs of this campaign were looked at
      expect(redisText).not.toContain(secret);
    } finally {
      redis.disconnect();
    }
    const answers = await Promise.all(
      ['/scenarios', `/scenarios/${name}`, `/campaigns/${key}`, `/campaigns/${key}/definition`, `/campaigns/${key}/report`, `/campaigns/${key}/errors`, `/campaigns/${key}/steps`, `/campaigns/${key}/logs`, `/campaigns/${key}/report.html`, `/campaigns/${key}/results.csv`].map(async (p) => (await api.fetch(p)).text()),
    );
    const errors = JSON.parse(answers[5]!);
    expect(JSON.stringify(errors)).toContain('********'); // the failing request's sample, masked
    for (const text of [...answers, JSON.stringify(tried.body)]) expect(text).not.toContain(secret);
    for (const file of readdirSync(logDir).filter((f) => f.includes(tag))) expect({ file, leaks: readFileSync(join(logDir, file), 'utf8').includes(secret) }).toEqual({ file, leaks: false });
  });

  it('a factory without the head\'s SECRETS_KEY fails the chunk saying why', async () => {
    const name = `sec-nokey-${tag}`;
    expect((await api.request('POST', '/scenarios', { name, variables: { base: target.url }, secrets: { s: 'x' }, steps: [{ name: 'get', url: '{{base}}/nokey', headers: { k: '{{secret.s}}' } }] })).status).toBe(201);
    const lone = `${zone}-lone`;
    const keyless = await startFactory(api, { zone: lone, id: `${lone}-f0`, env: { SECRETS_KEY: '' } });
    try {
      const created = await api.request('POST', '/campaigns', { name: `nokey ${tag}`, scenarios: { [name]: { minionsCount: 1, zones: { [lone]: 100 } } } });
      const done = await waitForEnd(api, created.body.key);
      // The chunk failed: the campaign ends in error, and its log says why.
      expect(done.result).toBe('error');
      const logs = JSON.stringify((await api.request('GET', `/campaigns/${created.body.key}/logs`)).body);
      expect(logs).toContain('SECRETS_KEY');
      expect(target.stats.byPath['/nokey']).toBeUndefined();
    } finally {
      await stopChild(keyless, 20_000);
    }
  });
});

describe('TARGET_ALLOWLIST', () => {
  it('refuses a scenario or campaign aiming elsewhere, naming the host; the factory refuses what templates resolve to', async () => {
    const outside = await api.request('POST', '/scenarios', { name: `sec-out-${tag}`, steps: [{ name: 'a', url: 'http://10.1.2.3/x' }, { name: 'b', url: 'http://api.allowed.test/' }] });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details).toEqual([{ path: 'steps.0.url', message: expect.stringContaining('"10.1.2.3" is not in TARGET_ALLOWLIST') }]);

    // Known only once the campaign's variables are: refused when the campaign is created.
    const name = `sec-var-${tag}`;
    expect((await api.request('POST', '/scenarios', { name, steps: [{ name: 'a', url: '{{base}}/x' }] })).status).toBe(201);
    const refused = await api.request('POST', '/campaigns', { name: 'c', variables: { base: 'http://evil.example.com' }, scenarios: { [name]: { minionsCount: 1, zones: { [zone]: 100 } } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('evil.example.com');

    // Known only per request (a data row): the factory refuses it and counts the failure.
    const rowName = `sec-row-${tag}`;
    const sneaky = `http://localhost:${target.port}`;
    expect((await api.request('POST', '/scenarios', { name: rowName, data: { rows: [{ host: sneaky }] }, steps: [{ name: 'a', url: '{{host}}/sneaky' }] })).status).toBe(201);
    const created = await api.request('POST', '/campaigns', { name: 'sneaky', scenarios: { [rowName]: { minionsCount: 2, zones: { [zone]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } } });
    expect(created.status).toBe(201);
    await waitForEnd(api, created.body.key);
    expect(target.stats.byPath['/sneaky']).toBeUndefined();
    const step = (await api.request('GET', `/campaigns/${created.body.key}/steps/a`)).body;
    expect(step).toMatchObject({ requests: 2, failures: 2, errors: { byKind: { other: 2 } } });
    const errors = JSON.stringify((await api.request('GET', `/campaigns/${created.body.key}/errors`)).body);
    expect(errors).toContain('not in TARGET_ALLOWLIST');

    // The dry run never sends there either.
    const tried = await api.request('POST', `/scenarios/${rowName}/try`, {});
    expect(tried.body.steps[0]).toMatchObject({ response: null, error: expect.stringContaining('TARGET_ALLOWLIST') });
    expect(target.stats.byPath['/sneaky']).toBeUndefined();
  });
});

// Last: once this client is limited, every request of it gets 429 for a minute.
describe('failed authentications', () => {
  it('bad keys are limited per client (429 with Retry-After), and logged without the key', async () => {
    const wrong = `brg_wrong-${tag}`;
    let limited: Awaited<ReturnType<typeof call>> | null = null;
    for (let i = 0; i < 12 && !limited; i++) {
      const res = await call('GET', '/campaigns', wrong);
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(401);
    }
    expect(limited?.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    const log = readFileSync(headLog(), 'utf8');
    expect(log).toContain('authentication failed');
    expect(log).not.toContain(wrong);
  });
});
