/**
 * Synchronised start with wrong clocks (docs/architecture.md#time): two zones, one factory each, one
 * started with its clock 250 ms ahead and the other 400 ms behind (CLOCK_SKEW_MS, test only).
 * Each factory corrects its clock against Redis's TIME, so both zones' first requests reach
 * the target together; the report's start lateness per chunk agrees with what the target
 * saw, and GET /factories shows each factory's offset and uncertainty.
 */
import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { executionSchema, reportSchema } from '@barrage/contracts';
import { startFactory, startHead, stopChild, waitFor, waitForEnd, type Api } from './support/cluster';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';

jest.setTimeout(180_000);

/**
 * Bounds. The issue's goal is a spread of 2 ms median and 5 ms at most: bench/sync-start.mjs
 * measures that over 7 rounds. Here the typical round (the median of ROUNDS) of the report's
 * spread must be within the issue's 5 ms, and the target (this jest process, whose own wake-up
 * adds to what it sees) must agree with the report within 10 ms: in `npm test` runs since the
 * factory's kernel-sleep start and larger chunk warm-up (2026-12-05), report spreads had
 * medians of 0.4–3 ms and the target agreed within 0.2–4 ms. Single rounds are only
 * held to 100 ms and a factory's first arrival at the target (this jest process, which may be
 * descheduled) to 30 ms typically: on 2 shared cores one round in several is late by a few
 * ms, and an earlier build on a machine loaded by other agents' builds saw 5–30 ms. Uncorrected,
 * the zones would start 650 ms apart.
 */
const ROUNDS = 7;
const TYPICAL_SPREAD_MS = 5;
/** The spread the target saw against the report's: a delay common to both arrivals cancels out. */
const TYPICAL_AGREEMENT_MS = 10;
/** Each first arrival at the target against its chunk's lateness in the report. */
const TYPICAL_DELIVERY_MS = 30;
const ANY_ROUND_MS = 100;
const SKEWS = { ahead: 250, behind: -400 };

/** A target that records the first arrival of each path to the sub-millisecond (epoch ms). */
function firstArrivalTarget(): Promise<{ url: string; first: Map<string, number>; close(): Promise<void> }> {
  const first = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const at = performance.timeOrigin + performance.now();
    const path = req.url ?? '/';
    if (!first.has(path)) first.set(path, at);
    req.resume();
    res.end('ok');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        first,
        close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
      }),
    ),
  );
}

/** Turns the event loop (I/O served every turn) until `epochMs`, at most 5 s. */
function turnUntil(epochMs: number): Promise<void> {
  const giveUp = Date.now() + 5000;
  return new Promise((resolve) => {
    const turn = () => (Date.now() >= Math.min(epochMs, giveUp) ? resolve() : setImmediate(turn));
    turn();
  });
}

let api: Api;
let head: ChildProcess;
const factories: ChildProcess[] = [];
let target: Awaited<ReturnType<typeof firstArrivalTarget>>;
const tag = randomUUID().slice(0, 6);
const zones = { ahead: `ahead-${tag}`, behind: `behind-${tag}`, strict: `strict-${tag}` };

beforeAll(async () => {
  target = await firstArrivalTarget();
  ({ api, process: head } = await startHead(tag));
  for (const side of ['ahead', 'behind'] as const) {
    factories.push(await startFactory(api, { zone: zones[side], id: `${zones[side]}-f0`, env: { CLOCK_SKEW_MS: String(SKEWS[side]) } }));
  }
  // A bound no loopback round trip can meet (1 µs): this factory's clock is always "too uncertain".
  factories.push(await startFactory(api, { zone: zones.strict, id: `${zones.strict}-f0`, env: { CLOCK_MAX_UNCERTAINTY_MS: '0.001', WARM_UP_REQUESTS: '0' } }));
});

afterAll(async () => {
  const codes = await Promise.all([...factories.map((f) => stopChild(f, 20_000)), head && stopChild(head, 20_000)]);
  await target?.close();
  expect(codes).toEqual(codes.map(() => 0));
});

it('GET /factories shows each factory\'s clock offset (its clock minus the cluster\'s) and uncertainty', async () => {
  const live = (await api.request('GET', '/factories')).body as { id: string; health: string; clock: { offsetMs: number; uncertaintyMs: number; lastSyncAt: string; withinBound: boolean } }[];
  for (const side of ['ahead', 'behind'] as const) {
    const f = live.find((x) => x.id === `${zones[side]}-f0`)!;
    expect(Math.abs(f.clock.offsetMs - SKEWS[side])).toBeLessThan(5);
    expect(f.clock.uncertaintyMs).toBeGreaterThanOrEqual(0);
    expect(f.clock.uncertaintyMs).toBeLessThan(5);
    expect(Date.parse(f.clock.lastSyncAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(f.clock.withinBound).toBe(true);
    expect(f.health).toBe('healthy');
  }
});

it('starts both zones together although one clock is 250 ms ahead and the other 400 ms behind', async () => {
  for (const side of ['ahead', 'behind'] as const) {
    const saved = await api.request('POST', '/scenarios', { name: `sync-${side}-${tag}`, variables: { base: target.url }, steps: [{ name: 'first', method: 'GET', url: `{{base}}/first/${side}` }] });
    expect(saved.status).toBe(201);
  }
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await oneRound());
  console.log(`sync-start e2e over ${ROUNDS} rounds (ms): ${rounds.map((r) => `report spread ${r.reportSpread.toFixed(2)}, target spread ${r.targetSpread.toFixed(2)}, worst disagreement ${r.disagreement.toFixed(2)}`).join('; ')}`);
  // Typical round: within the issue's bound, and the target agrees with the report.
  expect(median(rounds.map((r) => r.reportSpread))).toBeLessThanOrEqual(TYPICAL_SPREAD_MS);
  expect(median(rounds.map((r) => Math.abs(r.targetSpread - r.reportSpread)))).toBeLessThanOrEqual(TYPICAL_AGREEMENT_MS);
  expect(median(rounds.map((r) => r.disagreement))).toBeLessThanOrEqual(TYPICAL_DELIVERY_MS);
});

interface Round {
  reportSpread: number;
  targetSpread: number;
  /** The larger, over the two chunks, of |target's arrival − report's lateness| (ms). */
  disagreement: number;
}

async function oneRound(): Promise<Round> {
  target.first.clear();
  const created = await api.request('POST', '/campaigns', {
    name: 'sync start',
    startOffsetMs: 2000,
    scenarios: {
      [`sync-ahead-${tag}`]: { minionsCount: 1, zones: { [zones.ahead]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } },
      [`sync-behind-${tag}`]: { minionsCount: 1, zones: { [zones.behind]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } },
    },
  });
  expect(created.status).toBe(201);
  const key = created.body.key as string;
  // The target keeps its event loop turning around the start instant: asleep, its own wake-up
  // on this busy machine (seen 6-16 ms late) would be counted as the factories' lateness.
  const fixed = await waitFor('the start instant', async () => {
    const logs = (await api.request('GET', `/campaigns/${key}/logs`)).body as { message: string }[];
    const m = logs.map((l) => /Start instant fixed at (\S+)/.exec(l.message)).find(Boolean);
    return m ? Date.parse(m[1]!) : null;
  }, 30_000, 50);
  await new Promise((r) => setTimeout(r, Math.max(0, fixed - 10 - Date.now())));
  await turnUntil(fixed + 60);
  const done = await waitForEnd(api, key);
  expect(done.status).toBe('completed');

  const report = reportSchema.parse((await api.request('GET', `/campaigns/${key}/report`)).body);
  const execution = executionSchema.parse((await api.request('GET', `/campaigns/${key}/execution`)).body);
  const startAt = Date.parse(report.start.startAt!);
  expect(startAt).toBe(fixed);
  const chunks = report.start.zones.flatMap((z) => z.chunks.map((c) => ({ ...c, zone: z.zone })));
  expect(chunks).toHaveLength(2);

  // Each zone's first request, as the target saw it, against its lateness in the report.
  const seen: Record<string, number> = {};
  let disagreement = 0;
  for (const side of ['ahead', 'behind'] as const) {
    const chunk = chunks.find((c) => c.zone === zones[side])!;
    const arrival = target.first.get(`/first/${side}`);
    expect(arrival).toBeDefined();
    seen[side] = arrival! - startAt;
    expect(chunk.startLatenessMs).not.toBeNull();
    disagreement = Math.max(disagreement, Math.abs(seen[side]! - chunk.startLatenessMs!));
    expect(chunk.clockUncertaintyMs).not.toBeNull();
    expect(chunk.clockUncertaintyMs!).toBeLessThan(5);
    expect(Math.abs(chunk.clockOffsetMs! - SKEWS[side])).toBeLessThan(5);
    // Ready (sockets open, clock synced) before the start instant was fixed.
    expect(Date.parse(chunk.readyAt!)).toBeLessThanOrEqual(startAt - 1000);
    // The execution route shows the same per chunk.
    const ex = execution.zones.find((z) => z.zone === zones[side])!.chunks[0]!;
    expect(ex.startLatenessMs).toBe(chunk.startLatenessMs);
  }
  const targetSpread = Math.abs(seen.ahead! - seen.behind!);
  expect(report.start.spreadMs).not.toBeNull();
  expect(execution.startSpreadMs).toBe(report.start.spreadMs);
  // Every round, however busy the machine: nothing like the 250 / 400 ms the clocks are off by.
  expect(report.start.spreadMs!).toBeLessThanOrEqual(ANY_ROUND_MS);
  expect(targetSpread).toBeLessThanOrEqual(ANY_ROUND_MS);
  expect(disagreement).toBeLessThanOrEqual(ANY_ROUND_MS);
  // Both chunks were ready and their clocks within bound: the logs do not say otherwise.
  const logs = (await api.request('GET', `/campaigns/${key}/logs`)).body as { level: string; message: string }[];
  expect(logs.filter((l) => /Not ready|clock uncertainty/.test(l.message))).toEqual([]);
  return { reportSpread: report.start.spreadMs!, targetSpread, disagreement };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

it('a factory whose clock uncertainty exceeds its bound says so in its health and in the campaign\'s logs', async () => {
  const live = (await api.request('GET', '/factories')).body as { id: string; health: string; problems: string[]; clock: { uncertaintyMs: number; boundMs: number; withinBound: boolean } }[];
  const f = live.find((x) => x.id === `${zones.strict}-f0`)!;
  expect(f.clock).toMatchObject({ boundMs: 0.001, withinBound: false });
  expect(f.health).toBe('degraded');
  expect(f.problems.join(' ')).toMatch(/clock uncertainty .* exceeds its bound of 0.001 ms/);
  const saved = await api.request('POST', '/scenarios', { name: `sync-strict-${tag}`, variables: { base: target.url }, steps: [{ name: 'first', method: 'GET', url: '{{base}}/first/strict' }] });
  expect(saved.status).toBe(201);
  const created = await api.request('POST', '/campaigns', { name: 'strict clock', startOffsetMs: 200, scenarios: { [`sync-strict-${tag}`]: { minionsCount: 1, zones: { [zones.strict]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } } });
  expect(created.status).toBe(201);
  const done = await waitForEnd(api, created.body.key);
  expect(done.status).toBe('completed');
  const logs = (await api.request('GET', `/campaigns/${created.body.key}/logs`)).body as { level: string; message: string }[];
  expect(logs.filter((l) => l.level === 'WARN' && /clock uncertainty is .* past its bound of 0.001 ms/.test(l.message))).toHaveLength(1);
});
