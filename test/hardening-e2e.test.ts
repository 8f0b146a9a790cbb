/**
 * Hardening through the API: Idempotency-Key on the creating POSTs, concurrent updates that
 * answer 409 or 404 (never 500), and the inputs that used to reach Postgres or the planner.
 */
import { randomUUID } from 'node:crypto';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { startCluster, waitForEnd, type Cluster } from './support/cluster';

jest.setTimeout(180_000);

let cluster: Cluster;
let target: RunningTarget;
let zone: string;

beforeAll(async () => {
  target = await startTarget();
  cluster = await startCluster({ factories: [{ zone: 'hard' }] });
  zone = cluster.zones[0]!;
});

afterAll(async () => {
  const codes = await cluster?.stop();
  await target?.close();
  expect(codes).toEqual(codes?.map(() => 0));
});

async function post(path: string, body: unknown, key?: string) {
  const res = await cluster.api.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const scenario = (name: string) => ({ name, variables: { base: target.url }, steps: [{ name: 'get', method: 'GET', url: '{{base}}/h' }] });
const campaign = (name: string) => ({ name, startOffsetMs: 200, scenarios: { 'hard-get': { minionsCount: 2, zones: { [zone]: 100 } } } });

describe('Idempotency-Key', () => {
  it('replays the first answer of a scenario save and creates no second version', async () => {
    const key = randomUUID();
    const name = `hard-idem-${key.slice(0, 8)}`;
    const first = await post('/scenarios', scenario(name), key);
    const again = await post('/scenarios', scenario(name), key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await cluster.api.request('GET', `/scenarios/${name}`)).body.version).toBe(1);
    // Without the key, a save is a new version, as before.
    expect((await post('/scenarios', scenario(name))).body.version).toBe(2);
  });

  it('creates one campaign for any number of retries, even at once, and refuses another body', async () => {
    await post('/scenarios', scenario('hard-get'));
    const key = randomUUID();
    const name = `idem ${key}`;
    const answers = await Promise.all(Array.from({ length: 8 }, () => post('/campaigns', campaign(name), key)));
    // Each retry got the campaign, or was told the first one is still being served.
    for (const a of answers) expect([201, 409]).toContain(a.status);
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.key)).size).toBe(1);
    const retry = await post('/campaigns', campaign(name), key);
    expect(retry.status).toBe(201);
    expect(retry.body.key).toBe(created[0]!.body.key);
    expect(retry.headers.get('location')).toBe(`/campaigns/${retry.body.key}`);
    const found = (await cluster.api.request('GET', `/campaigns?filter=${encodeURIComponent(name)}`)).body;
    expect(found.totalElements).toBe(1);

    const other = await post('/campaigns', campaign(`${name} changed`), key);
    expect(other.status).toBe(409);
    expect(other.body.error.message).toMatch(/different body/);
    const bad = await post('/campaigns', campaign(name), 'x'.repeat(256));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('Idempotency-Key');
    await waitForEnd(cluster.api, retry.body.key);
  });

  it('releases the key of a request that failed, so a corrected retry goes through', async () => {
    const key = randomUUID();
    const wrong = await post('/campaigns', { ...campaign('released'), speedFactor: 0 }, key);
    expect(wrong.status).toBe(400);
    const right = await post('/campaigns', campaign('released'), key);
    expect(right.status).toBe(201);
    await waitForEnd(cluster.api, right.body.key);
  });
});

it('answers 409 or 404, never 500, to updates racing on one campaign, and ends in a legal state', async () => {
  await post('/scenarios', scenario('hard-get'));
  const created = await post('/campaigns', { ...campaign('race'), scenarios: { 'hard-get': { minionsCount: 2, zones: { [zone]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 20, durationMs: 3000 } } } });
  const key = created.body.key;
  const calls = [
    ...Array.from({ length: 4 }, () => cluster.api.request('POST', `/campaigns/${key}/abort`, { hard: false })),
    ...Array.from({ length: 4 }, (_, i) => cluster.api.request('PATCH', `/campaigns/${key}`, { note: `n${i}` })),
    ...Array.from({ length: 4 }, () => cluster.api.request('DELETE', `/campaigns/${key}`)),
    ...Array.from({ length: 4 }, () => cluster.api.request('POST', `/campaigns/${key}/start`)),
    ...Array.from({ length: 4 }, () => cluster.api.request('POST', `/campaigns/${key}/extend`, { newDurationMs: 5000 })),
  ];
  const answers = await Promise.all(calls);
  for (const a of answers) {
    expect(a.status).toBeLessThan(500);
    if (a.status >= 400) expect([404, 409]).toContain(a.status);
  }
  // Aborted once at most (the winner may itself answer 404 when a racing DELETE removed the
  // campaign it had just ended), deleted once at most.
  expect(answers.slice(0, 4).filter((a) => a.status === 202).length).toBeLessThanOrEqual(1);
  const deleted = answers.slice(8, 12).filter((a) => a.status === 204).length;
  expect(deleted).toBeLessThanOrEqual(1);
  if (deleted) expect((await cluster.api.request('GET', `/campaigns/${key}`)).status).toBe(404);
  else {
    const c = await waitForEnd(cluster.api, key);
    expect(c.statusHistory.filter((h: { status: string }) => ['aborted', 'completed', 'failed'].includes(h.status))).toHaveLength(1);
  }

});

it('deletes an ended campaign once when deletes, patches and saves race on it', async () => {
  await post('/scenarios', scenario('hard-get'));
  const key = (await post('/campaigns', campaign('race ended'))).body.key;
  await waitForEnd(cluster.api, key);
  // One delete wins; the rest are 404 (or 200 before it).
  const after = await Promise.all([
    ...Array.from({ length: 5 }, () => cluster.api.request('DELETE', `/campaigns/${key}`)),
    ...Array.from({ length: 5 }, () => cluster.api.request('PATCH', `/campaigns/${key}`, { note: 'late' })),
    ...Array.from({ length: 3 }, () => cluster.api.request('POST', `/campaigns/${key}/save`)),
  ]);
  for (const a of after) expect([200, 204, 404]).toContain(a.status);
  expect(after.slice(0, 5).filter((a) => a.status === 204)).toHaveLength(1);
  expect((await cluster.api.request('GET', `/campaigns/${key}`)).status).toBe(404);
});

it('answers a 4xx in the error shape to the inputs that used to give 500 or be accepted', async () => {
  await post('/scenarios', scenario('hard-get'));
  const cases: [string, string, unknown][] = [
    ['GET', '/scenarios/%00', undefined],
    ['DELETE', '/scenarios/%00', undefined],
    ['POST', '/campaigns/%00/abort', {}],
    ['POST', '/campaigns/%00/start', undefined],
    ['GET', '/campaigns/%00/report', undefined],
    ['HEAD', '/campaigns/%00/definition', undefined],
    ['GET', '/campaigns?filter=%00', undefined],
    ['POST', '/campaigns', { ...campaign('nul\u0000name') }],
    ['POST', '/campaigns', { ...campaign('big'), scenarios: { 'hard-get': { zones: { [zone]: 100 }, executionProfile: { profile: 'STAGE', stages: [{ minionsCount: 99999999999, rampUpDurationMs: 1000, totalDurationMs: 1000 }] } } } }],
    ['POST', '/campaigns', { ...campaign('tiny speed'), speedFactor: 5e-324 }],
    ['POST', '/campaigns', { ...campaign('huge plan'), scenarios: { 'hard-get': { zones: { [zone]: 100 }, executionProfile: { profile: 'STAGE', stages: [{ minionsCount: 1000000, rampUpDurationMs: 600000, totalDurationMs: 600000, resolutionMs: 1 }] } } } }],
    ['POST', '/scenarios', { name: 'bad-url', steps: [{ name: 's', url: 'http://' }] }],
    ['GET', '/campaigns?createdAfter=0000-01-01T00:00:00Z', undefined],
    ['POST', '/scenarios', { name: 'lone-surrogate', description: 'x\udbff', steps: [{ name: 's', url: 'http://127.0.0.1/' }] }],
    ['POST', '/campaigns', { ...campaign('slow rate'), scenarios: { 'hard-get': { zones: { [zone]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 5e-324, durationMs: 1000 } } } }],
    ['POST', '/scenarios', { name: 'bad-var-url', variables: { base: 'localhost:1' }, steps: [{ name: 's', url: '{{base}}/x' }] }],
  ];
  for (const [method, path, body] of cases) {
    const res = await cluster.api.fetch(path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect({ method, path, status: res.status }).toEqual({ method, path, status: method === 'HEAD' ? res.status : 400 });
    if (method === 'HEAD') {
      expect([400, 404]).toContain(res.status);
      continue;
    }
    const answer = await res.json();
    expect(answer.error.code).toBe('VALIDATION_FAILED');
    expect(typeof answer.error.message).toBe('string');
  }
  // A URL past Node's 16 KB limit: refused before any route, still in the error shape.
  const long = await cluster.api.fetch(`/campaigns?filter=${'x'.repeat(20_000)}`);
  expect(long.status).toBe(431);
  expect((await long.json()).error.code).toBe('VALIDATION_FAILED');
  const huge = await post('/campaigns', { ...campaign('huge plan'), scenarios: { 'hard-get': { zones: { [zone]: 100 }, executionProfile: { profile: 'STAGE', stages: [{ minionsCount: 1000000, rampUpDurationMs: 600000, totalDurationMs: 600000, resolutionMs: 1 }] } } } });
  expect(huge.body.error.details).toEqual([{ path: 'scenarios.hard-get.executionProfile', message: expect.stringMatching(/more than 100000 starting lines/) }]);
});
