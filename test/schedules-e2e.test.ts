/**
 * Schedules end to end (docs/schedules.md): two head processes share one schedule queue and
 * one factory runs the campaigns against a local target that counts what it receives.
 *
 * Recurring schedules here use the test-only occurrence source
 * (SCHEDULE_TEST_OCCURRENCE_EVERY_MS: every 4 s from scheduledAt), so two firings happen in
 * seconds; what an HOURLY, DAILY or MONTHLY rule gives is pinned by libs/time's unit tests.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { requireEnv, startFactory, startHead, stopChild, waitFor, waitForEnd, type Api } from './support/cluster';

jest.setTimeout(180_000);

const EVERY_MS = 4000;
const tag = randomUUID().slice(0, 6);
const zone = `sched-${tag}`;
const scenario = `sched-get-${tag}`;
/** One scenario per test, each on its own path of the target. */
const PATHS = ['one-off', 'recurring', 'nowhere', 'past', 'idem', 'missed', 'late'] as const;
let target: RunningTarget;
let a: Api;
let b: Api;
/** The head started after the other two stopped (the last test). */
let c: Api | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  target = await startTarget();
  const env = { ...requireEnv(), SCHEDULE_TEST_OCCURRENCE_EVERY_MS: String(EVERY_MS) };
  const [headA, headB] = await Promise.all([startHead(`sched-a-${tag}`, env), startHead(`sched-b-${tag}`, env)]);
  a = headA.api;
  b = headB.api;
  children.push(headA.process, headB.process);
  children.push(await startFactory(a, { zone, id: `${zone}-f0`, capacity: 100 }));
  for (const path of PATHS) {
    const res = await a.request('POST', '/scenarios', { name: `${scenario}-${path}`, variables: { base: target.url }, steps: [{ name: 'get', method: 'GET', url: `{{base}}/${path}` }] });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  // The database outlives this file: no schedule of it may fire during another test.
  const live = c ?? a;
  const left = live ? ((await live.request('GET', '/schedules?size=100')).body.elements as { id: string; campaign: { scenarios: object } }[]) : [];
  for (const s of left.filter((x) => Object.keys(x.campaign.scenarios).some((n) => n.startsWith(scenario)))) await live!.request('DELETE', `/schedules/${s.id}`);
  const codes = await Promise.all(children.map((c) => stopChild(c, 20_000)));
  await target?.close();
  expect(codes).toEqual(codes.map(() => 0));
});

/** A campaign body of `minions` single GETs on /<path>, in the factory's zone (or another). */
function campaignBody(name: string, path: (typeof PATHS)[number], minions: number, inZone = zone) {
  return {
    name,
    startOffsetMs: 200,
    scenarios: { [`${scenario}-${path}`]: { minionsCount: minions, zones: { [inZone]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } },
  };
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const campaignsOf = async (api: Api, id: string) => (await api.request('GET', `/schedules/${id}/campaigns?size=100`)).body.elements as { key: string; name: string; status: string; failureReason: string | null; createdAt: string }[];

it('starts a one-off schedule once, with two heads running, and names the campaign after its minute', async () => {
  const scheduledAt = inSeconds(4);
  const created = await a.request('POST', '/campaigns/schedule', { ...campaignBody('one-off', 'one-off', 20), scheduledAt });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect(created.headers.get('location')).toBe(`/schedules/${id}`);
  expect(created.body.nextRuns).toEqual([new Date(scheduledAt).toISOString()]);
  expect(created.body.nextRunAt).toBe(new Date(scheduledAt).toISOString());
  expect(created.body.timeZone).toBe('UTC');

  const [fired] = await waitFor('the one-off to fire', async () => {
    const list = await campaignsOf(b, id);
    return list.length ? list : null;
  }, 60_000, 200);
  const done = await waitForEnd(a, fired!.key);
  expect(done.status).toBe('completed');
  expect(fired!.name).toBe(`one-off (${scheduledAt.slice(0, 16).replace('T', ' ')})`);
  // Both heads' workers saw the job; still, one campaign, and the target got one campaign's requests.
  await new Promise((r) => setTimeout(r, 2000));
  expect(await campaignsOf(a, id)).toHaveLength(1);
  const report = (await a.request('GET', `/campaigns/${fired!.key}/report`)).body;
  expect(report.summary.requests).toBe(20);
  expect(target.stats.byPath['/one-off']).toBe(20);
  const after = (await b.request('GET', `/schedules/${id}`)).body;
  expect(after.nextRunAt).toBeNull();
  expect(after.nextRuns).toEqual([]);
});

function expectOnePerOccurrence(campaigns: { createdAt: string }[]): void {
  const created = campaigns.map((c) => Date.parse(c.createdAt)).sort((x, y) => x - y);
  for (let i = 1; i < created.length; i++) expect(created[i]! - created[i - 1]!).toBeGreaterThan(EVERY_MS / 2);
}

it('fires a recurring schedule twice in a row, then stops once disabled', async () => {
  const created = await b.request('POST', '/campaigns/schedule', {
    ...campaignBody('recurring', 'recurring', 5),
    scheduledAt: inSeconds(3),
    scheduling: { scheduling: 'HOURLY', timeZone: 'Europe/Berlin', restrictions: [] },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect(created.body.timeZone).toBe('Europe/Berlin');
  expect(created.body.nextRuns).toHaveLength(5);

  const two = await waitFor('two firings', async () => {
    const list = await campaignsOf(a, id);
    return list.length >= 2 ? list : null;
  }, 60_000, 200);
  // Each occurrence started once, though both heads' workers hold its job: a second start of
  // an occurrence would be a campaign created within moments of another, where occurrences
  // are EVERY_MS apart.
  expectOnePerOccurrence(two);
  for (const c of two) expect((await waitForEnd(a, c.key)).status).toBe('completed');

  const disabled = await a.request('PATCH', `/schedules/${id}`, { enabled: false });
  expect(disabled.status).toBe(200);
  expect(disabled.body.enabled).toBe(false);
  expect(disabled.body.nextRunAt).toBeNull();
  // A firing already under way when the PATCH landed may still finish: count from a moment later.
  await new Promise((r) => setTimeout(r, 1000));
  const settled = (await campaignsOf(a, id)).length;
  await new Promise((r) => setTimeout(r, EVERY_MS * 2.5));
  const all = await campaignsOf(b, id);
  expect(all).toHaveLength(settled);
  expectOnePerOccurrence(all);
  expect((await a.request('GET', `/schedules?enabled=false&name=RECURR`)).body.elements.map((s: { id: string }) => s.id)).toContain(id);
});

it('fails the occurrence of a zone without a live factory with that reason, and goes on', async () => {
  const created = await a.request('POST', '/campaigns/schedule', { ...campaignBody('nowhere', 'nowhere', 1, `empty-${tag}`), scheduledAt: inSeconds(2), scheduling: { scheduling: 'DAILY' } });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const failed = await waitFor('two failed occurrences', async () => {
    const list = await campaignsOf(b, id);
    return list.length >= 2 ? list : null;
  }, 60_000, 200);
  for (const c of failed) {
    expect(c.status).toBe('failed');
    expect(c.failureReason).toContain(`zone "empty-${tag}"`);
  }
  expect((await a.request('DELETE', `/schedules/${id}`)).status).toBe(204);
  expect((await a.request('GET', `/schedules/${id}`)).status).toBe(404);
  expect(target.stats.byPath['/nowhere']).toBeUndefined();
});

it('answers a bad body with one 400 naming every error', async () => {
  const res = await a.request('POST', '/campaigns/schedule', {
    name: '',
    speedFactor: 0,
    scenarios: { [`${scenario}-past`]: { zones: { [zone]: 100 } } },
    scheduledAt: '2025-12-01T05:00:00',
    scheduling: { scheduling: 'MONTHLY', timeZone: 'Mars/Olympus', restrictions: [0, 15, -32] },
  });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_FAILED');
  expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['name', 'scheduledAt', 'scheduling.restrictions.0', 'scheduling.restrictions.2', 'scheduling.timeZone', 'speedFactor']);

  const past = await a.request('POST', '/campaigns/schedule', { ...campaignBody('past', 'past', 1), scheduledAt: '2020-01-01T00:00:00Z', scheduling: { scheduling: 'HOURLY', restrictions: [24] } });
  expect(past.status).toBe(400);
  expect(past.body.error.details.map((d: { path: string }) => d.path)).toEqual(['scheduling.restrictions.0']);
  const pastOneOff = await a.request('POST', '/campaigns/schedule', { ...campaignBody('past', 'past', 1), scheduledAt: '2020-01-01T00:00:00Z' });
  expect(pastOneOff.body.error.details.map((d: { path: string }) => d.path)).toEqual(['scheduledAt']);

  const unknown = await a.request('POST', '/campaigns/schedule', { name: 'x', scenarios: { 'no-such-scenario': {} }, scheduledAt: inSeconds(60) });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error.details[0].path).toBe('scenarios.no-such-scenario');
  expect((await a.request('POST', '/campaigns/schedule', undefined, '[1]')).status).toBe(400);
  expect((await a.request('PATCH', '/schedules/nope', { enabled: 'yes' })).status).toBe(400);
  expect((await a.request('PATCH', '/schedules/nope', { enabled: true })).status).toBe(404);
});

it('replays a POST with the same Idempotency-Key; PATCH revalidates and recomputes nextRuns', async () => {
  // A one-off: the test-only source of these heads leaves one-off schedules to their scheduledAt.
  const body = { ...campaignBody('idem', 'idem', 1), scheduledAt: '2030-01-06T09:00:00[Europe/Berlin]' };
  const post = () => a.fetch(`/campaigns/schedule`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `sched-${tag}` }, body: JSON.stringify(body) });
  const first = await post();
  const again = await post();
  expect([first.status, again.status]).toEqual([201, 201]);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  const id = ((await first.json()) as { id: string }).id;
  expect(((await again.json()) as { id: string }).id).toBe(id);
  expect((await a.request('GET', `/schedules?name=idem`)).body.elements.filter((s: { id: string }) => s.id === id)).toHaveLength(1);

  const view = (await b.request('GET', `/schedules/${id}`)).body;
  expect(view.timeZone).toBe('Europe/Berlin');
  expect(view.nextRuns).toEqual(['2030-01-06T08:00:00.000Z']);
  // Summer time in Berlin: the same local 09:00 is 07:00 UTC.
  const patched = await b.request('PATCH', `/schedules/${id}`, { scheduledAt: '2030-07-06T09:00:00[Europe/Berlin]', name: 'idem moved' });
  expect(patched.status).toBe(200);
  expect(patched.body.name).toBe('idem moved');
  expect(patched.body.nextRuns).toEqual(['2030-07-06T07:00:00.000Z']);
  expect(patched.body.nextRunAt).toBe('2030-07-06T07:00:00.000Z');
  const bad = await b.request('PATCH', `/schedules/${id}`, { scheduling: { scheduling: 'DAILY', restrictions: [8] }, scheduledAt: 'soon' });
  expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['scheduledAt', 'scheduling.restrictions.0']);
  expect((await a.request('DELETE', `/schedules/${id}`)).status).toBe(204);
  expect((await a.request('DELETE', `/schedules/${id}`)).status).toBe(404);
});

it('after a time with no head up: runs an occurrence missed by less than the grace, skips and logs an older one', async () => {
  const graceMs = 10_000;
  const t0 = Date.now();
  const old = await a.request('POST', '/campaigns/schedule', { ...campaignBody('missed', 'missed', 3), scheduledAt: new Date(t0 + 4000).toISOString() });
  const recent = await a.request('POST', '/campaigns/schedule', { ...campaignBody('late', 'late', 3), scheduledAt: new Date(t0 + 18_000).toISOString() });
  expect([old.status, recent.status]).toEqual([201, 201]);
  // Every head goes down before the first occurrence.
  const [headA, headB] = children.splice(0, 2);
  expect(await Promise.all([stopChild(headA!, 20_000), stopChild(headB!, 20_000)])).toEqual([0, 0]);
  expect(Date.now()).toBeLessThan(t0 + 4000);
  await new Promise((r) => setTimeout(r, t0 + 18_500 - Date.now()));
  // Up again: the first is > 14 s late (skipped), the second late by the start-up time only.
  const headTag = `sched-c-${tag}`;
  const headC = await startHead(headTag, { ...requireEnv(), SCHEDULE_TEST_OCCURRENCE_EVERY_MS: String(EVERY_MS), SCHEDULE_MISFIRE_GRACE_MS: String(graceMs) });
  children.push(headC.process);
  c = headC.api;
  const [fired] = await waitFor('the recent occurrence to run', async () => {
    const list = await campaignsOf(c!, recent.body.id);
    return list.length ? list : null;
  }, 30_000, 200);
  expect((await waitForEnd(c, fired!.key)).status).toBe('completed');
  expect(target.stats.byPath['/late']).toBe(3);
  const log = () => readFileSync(join(__dirname, '..', '.barrage', 'logs', 'e2e', `head-${headTag}.log`), 'utf8');
  await waitFor('the skip to be logged', async () => log().split('\n').some((l) => l.includes(old.body.id) && l.includes('skipped')), 10_000, 200);
  expect(await campaignsOf(c, old.body.id)).toEqual([]);
  expect(target.stats.byPath['/missed']).toBeUndefined();
});
