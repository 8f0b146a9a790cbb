/**
 * Webhooks end to end (docs/webhooks.md): a receiver started here checks every signature
 * with its own HMAC code and the timestamp; a passing campaign sends campaign.completed, one
 * with a failing threshold sends threshold.breached then campaign.failed; a receiver that
 * answers 500 twice gets a third attempt; the secret is never in a GET answer. Two heads
 * run, so each event being delivered once is shown across heads.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { freePort, startFactory, startHead, stopChild, waitFor, waitForEnd, type Api } from './support/cluster';

jest.setTimeout(180_000);

/** One request the receiver got, with its own verdict on the signature. */
interface Received {
  path: string;
  event: string;
  delivery: string;
  raw: string;
  body: any;
  signatureValid: boolean;
  timestampFresh: boolean;
}

const SECRET = `whsec-${randomUUID()}`;

let api: Api;
let head: ChildProcess;
/** A second head on the same stack: its orchestrator races the first's, and its worker takes deliveries too. */
let head2: ChildProcess;
let factory: ChildProcess;
let target: RunningTarget;
let zone: string;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Secrets by path, as the receiver knows them (the generated one once POST /webhooks shows it). */
const secrets = new Map<string, string>();
/** Requests /flaky got per delivery id. */
const flakyCalls = new Map<string, number>();
/** Webhooks this file made: deleted at the end, so that other files' campaigns do not keep sending to a closed receiver. */
const made: string[] = [];

/** The receiver's own check, written here rather than taken from the product's code. */
function verify(secret: string, signature: string, timestamp: string, raw: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

async function startReceiver(): Promise<void> {
  const port = await freePort();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      const timestamp = String(req.headers['x-barrage-timestamp'] ?? '');
      received.push({
        path,
        event: String(req.headers['x-barrage-event']),
        delivery: String(req.headers['x-barrage-delivery']),
        raw,
        body: JSON.parse(raw),
        signatureValid: req.headers['content-type'] === 'application/json' && verify(secrets.get(path) ?? '', String(req.headers['x-barrage-signature'] ?? ''), timestamp, raw),
        timestampFresh: Math.abs(Date.now() / 1000 - Number(timestamp)) < 300,
      });
      // /flaky answers 500 to the first two requests of each delivery, then 200.
      const delivery = String(req.headers['x-barrage-delivery']);
      const calls = (flakyCalls.get(delivery) ?? 0) + 1;
      flakyCalls.set(delivery, calls);
      const status = path === '/flaky' && calls <= 2 ? 500 : 200;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  target = await startTarget();
  await startReceiver();
  const tag = randomUUID().slice(0, 6);
  zone = `webhooks-${tag}`;
  const env = { WEBHOOK_RETRY_BASE_MS: '200', PUBLIC_URL: 'https://barrage.example.com' };
  ({ api, process: head } = await startHead(tag, env));
  ({ process: head2 } = await startHead(`${tag}-2`, env));
  factory = await startFactory(api, { zone, id: `${zone}-f0` });
});

afterAll(async () => {
  for (const id of made) await api.request('DELETE', `/webhooks/${id}`);
  const codes = await Promise.all([factory && stopChild(factory, 20_000), head && stopChild(head, 20_000), head2 && stopChild(head2, 20_000)]);
  await target?.close();
  await new Promise((r) => receiver?.close(r));
  expect(codes).toEqual([0, 0, 0]);
});

it('refuses bad bodies with a 400 naming the field, and unknown webhooks with a 404', async () => {
  const bad = async (body: unknown) => {
    const res = await api.request('POST', '/webhooks', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    return res.body.error.details.map((d: { path: string }) => d.path);
  };
  expect(await bad({ url: 'ftp://example.com/x', events: ['campaign.completed'] })).toEqual(['url']);
  expect(await bad({ url: `${receiverUrl}/ok`, events: [] })).toEqual(['events']);
  expect(await bad({ url: `${receiverUrl}/ok`, events: ['campaign.exploded'] })).toEqual(['events.0']);
  expect(await bad({ url: `${receiverUrl}/ok`, events: ['campaign.failed'], secret: 'short' })).toEqual(['secret']);
  expect(await bad({ events: ['campaign.failed'] })).toEqual(['url']);
  const malformed = await api.request('POST', '/webhooks', undefined, '{"url": ');
  expect(malformed.status).toBe(400);
  expect(malformed.body.error).toBeDefined();

  expect((await api.request('DELETE', '/webhooks/nope')).status).toBe(404);
  const unknown = await api.request('GET', '/webhooks/nope/deliveries');
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.code).toBe('NOT_FOUND');
});

it('delivers signed events for a passing campaign and one with a failing threshold, retrying a failing receiver', async () => {
  const ok = await api.request('POST', '/webhooks', { url: `${receiverUrl}/ok`, events: ['campaign.completed', 'campaign.failed', 'threshold.breached'], description: 'all outcomes', secret: SECRET });
  expect(ok.status).toBe(201);
  expect(ok.body).toMatchObject({ url: `${receiverUrl}/ok`, description: 'all outcomes', secret: SECRET });
  expect(ok.headers.get('location')).toBe(`/webhooks/${ok.body.id}`);
  secrets.set('/ok', SECRET);
  made.push(ok.body.id);
  // No secret given: one is generated (32 random bytes) and shown in this answer only.
  const flaky = await api.request('POST', '/webhooks', { url: `${receiverUrl}/flaky`, events: ['campaign.completed'] });
  expect(flaky.status).toBe(201);
  expect(flaky.body.secret).toMatch(/^[0-9a-f]{64}$/);
  secrets.set('/flaky', flaky.body.secret);
  made.push(flaky.body.id);

  // A passing campaign.
  const scenario = await api.request('POST', '/scenarios', { name: 'wh-pass', variables: { base: target.url }, steps: [{ name: 'hello', url: '{{base}}/hello', checks: [{ status: [200] }] }] });
  expect(scenario.status).toBe(201);
  const passing = await api.request('POST', '/campaigns', { name: 'webhook pass', startOffsetMs: 100, scenarios: { 'wh-pass': { minionsCount: 5, zones: { [zone]: 100 } } } });
  expect(passing.status).toBe(201);
  const passKey = passing.body.key as string;
  expect(await waitForEnd(api, passKey)).toMatchObject({ status: 'completed', result: 'passed' });

  // A campaign whose every request fails its threshold: breached live, then failed at the end.
  await api.request('POST', '/scenarios', { name: 'wh-fail', variables: { base: target.url }, steps: [{ name: 'broken', url: '{{base}}/status/500', checks: [{ status: [200] }] }] });
  const failing = await api.request('POST', '/campaigns', {
    name: 'webhook fail',
    startOffsetMs: 100,
    scenarios: { 'wh-fail': { zones: { [zone]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 20, durationMs: 4000 } } },
    thresholds: { 'wh-fail': ['errorRate < 0.1'] },
  });
  expect(failing.status).toBe(201);
  const failKey = failing.body.key as string;
  expect(await waitForEnd(api, failKey)).toMatchObject({ status: 'completed', result: 'failed' });

  // Other test files' campaigns may end on the same stack meanwhile: only this file's count.
  const at = (path: string) => received.filter((r) => r.path === path && [passKey, failKey].includes(r.body.campaign.key));
  await waitFor('the /ok receiver to get three events and /flaky its third attempt', async () => at('/ok').length >= 3 && at('/flaky').length >= 3, 30_000, 100);

  // Every request is correctly signed, fresh, and its delivery id is the body's.
  for (const r of [...at('/ok'), ...at('/flaky')]) {
    expect(r.signatureValid).toBe(true);
    expect(r.timestampFresh).toBe(true);
    expect(r.body.id).toBe(r.delivery);
    expect(r.body.event).toBe(r.event);
  }

  // /ok: each event once, in the order they happened.
  const okEvents = at('/ok').map((r) => `${r.event} ${r.body.campaign.key}`);
  expect(okEvents).toEqual([`campaign.completed ${passKey}`, `threshold.breached ${failKey}`, `campaign.failed ${failKey}`]);
  const [completed, breached, failed] = at('/ok').map((r) => r.body);
  expect(completed.campaign).toEqual({
    key: passKey,
    name: 'webhook pass',
    status: 'completed',
    result: 'passed',
    failureReason: null,
    links: { self: `https://barrage.example.com/campaigns/${passKey}`, report: `https://barrage.example.com/campaigns/${passKey}/report`, reportHtml: `https://barrage.example.com/campaigns/${passKey}/report.html` },
  });
  expect(completed.threshold).toBeUndefined();
  expect(breached.threshold).toEqual({ scenario: 'wh-fail', step: null, expression: 'errorRate < 0.1', observed: 1, abortOnFail: false });
  expect(breached.campaign).toMatchObject({ key: failKey, status: 'running' });
  expect(failed.campaign).toMatchObject({ key: failKey, status: 'completed', result: 'failed' });

  // /flaky: subscribed to campaign.completed only; 500, 500, then 200: the same delivery and body three times.
  const attempts = at('/flaky');
  expect(attempts).toHaveLength(3);
  expect(new Set(attempts.map((r) => r.delivery)).size).toBe(1);
  expect(new Set(attempts.map((r) => r.raw)).size).toBe(1);
  expect(attempts[0]!.body).toMatchObject({ event: 'campaign.completed', campaign: { key: passKey } });

  const deliveriesOf = async (id: string, query = '?size=100') => {
    const page = (await api.request('GET', `/webhooks/${id}/deliveries${query}`)).body;
    return { ...page, mine: page.elements.filter((d: { campaignKey: string }) => [passKey, failKey].includes(d.campaignKey)) };
  };
  const flakyDelivery = await waitFor('the third attempt to be recorded', async () => {
    const d = (await deliveriesOf(flaky.body.id)).mine[0];
    return d?.outcome === 'delivered' ? d : null;
  }, 10_000, 100);
  expect(flakyDelivery).toMatchObject({ id: attempts[0]!.delivery, event: 'campaign.completed', campaignKey: passKey, attempts: 3, outcome: 'delivered', lastStatus: 200, lastError: null });
  expect(flakyDelivery.deliveredAt).toEqual(expect.any(String));

  // Newest first, each delivered at its first attempt.
  const okDeliveries = await deliveriesOf(ok.body.id);
  expect(okDeliveries.mine.map((d: { event: string }) => d.event)).toEqual(['campaign.failed', 'threshold.breached', 'campaign.completed']);
  expect(okDeliveries.mine.every((d: { attempts: number; outcome: string }) => d.attempts === 1 && d.outcome === 'delivered')).toBe(true);
  const created = okDeliveries.elements.map((d: { createdAt: string }) => d.createdAt);
  expect(created).toEqual([...created].sort().reverse());
  // Paged.
  const first = (await deliveriesOf(ok.body.id, '?size=1')).elements;
  const second = (await deliveriesOf(ok.body.id, '?page=1&size=1')).elements;
  expect([first.length, second.length]).toEqual([1, 1]);
  expect(first[0].id).not.toBe(second[0].id);
  expect((await api.request('GET', `/webhooks/${ok.body.id}/deliveries?size=0`)).status).toBe(400);

  // The secrets appear in no GET answer.
  const list = await api.request('GET', '/webhooks');
  expect(list.status).toBe(200);
  expect(list.body.map((w: { id: string }) => w.id)).toEqual(expect.arrayContaining([ok.body.id, flaky.body.id]));
  for (const w of list.body) expect(Object.keys(w).sort()).toEqual(['createdAt', 'description', 'events', 'id', 'url']);
  const answers = await Promise.all(
    ['/webhooks', `/webhooks/${ok.body.id}/deliveries`, `/webhooks/${flaky.body.id}/deliveries`, `/campaigns/${passKey}`, `/campaigns/${failKey}`, `/campaigns/${failKey}/logs`].map((p) => api.request('GET', p)),
  );
  for (const a of answers) {
    const text = JSON.stringify(a.body);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(flaky.body.secret);
  }

  // Deleted: gone from the list, and its deliveries with it.
  expect((await api.request('DELETE', `/webhooks/${flaky.body.id}`)).status).toBe(204);
  expect((await api.request('GET', '/webhooks')).body.map((w: { id: string }) => w.id)).not.toContain(flaky.body.id);
  expect((await api.request('GET', `/webhooks/${flaky.body.id}/deliveries`)).status).toBe(404);
});

it("a user's abort sends campaign.aborted; a receiver that refuses every connection ends failed after its attempts", async () => {
  const deadUrl = `http://127.0.0.1:${await freePort()}/gone`;
  const live = await api.request('POST', '/webhooks', { url: `${receiverUrl}/aborted`, events: ['campaign.aborted'] });
  const dead = await api.request('POST', '/webhooks', { url: deadUrl, events: ['campaign.aborted'] });
  expect([live.status, dead.status]).toEqual([201, 201]);
  secrets.set('/aborted', live.body.secret);
  made.push(live.body.id, dead.body.id);

  await api.request('POST', '/scenarios', { name: 'wh-loop', variables: { base: target.url }, loop: true, steps: [{ name: 'slow', url: '{{base}}/slow/50' }] });
  const created = await api.request('POST', '/campaigns', { name: 'webhook abort', startOffsetMs: 100, timeoutMs: 60_000, scenarios: { 'wh-loop': { minionsCount: 2, zones: { [zone]: 100 } } } });
  expect(created.status).toBe(201);
  const key = created.body.key as string;
  await waitFor('the campaign to run', async () => (await api.request('GET', `/campaigns/${key}`)).body.status === 'running');
  expect((await api.request('POST', `/campaigns/${key}/abort`, { hard: true })).status).toBe(202);

  const mine = () => received.filter((r) => r.path === '/aborted' && r.body.campaign.key === key);
  const got = await waitFor('campaign.aborted at the receiver', async () => mine()[0], 30_000, 100);
  expect(got).toMatchObject({ event: 'campaign.aborted', signatureValid: true, timestampFresh: true });
  expect(got.body.campaign).toMatchObject({ key, status: 'aborted', result: 'error', failureReason: 'aborted by a user (hard)' });

  // 5 attempts (WEBHOOK_ATTEMPTS' default) 200, 400, 800, 1600 ms apart, each refused.
  const failed = await waitFor('the dead receiver\'s delivery to fail for good', async () => {
    const page = (await api.request('GET', `/webhooks/${dead.body.id}/deliveries?size=100`)).body;
    const d = page.elements.find((e: { campaignKey: string }) => e.campaignKey === key);
    return d?.outcome === 'failed' ? d : null;
  }, 30_000, 200);
  expect(failed).toMatchObject({ event: 'campaign.aborted', campaignKey: key, attempts: 5, lastStatus: null, deliveredAt: null });
  expect(failed.lastError).toMatch(/ECONNREFUSED/);
  expect(mine()).toHaveLength(1);
});
