/**
 * A factory that cannot get ready in time (docs/architecture.md#time): two zones, one factory
 * each, one of which holds back its chunks' `ready` signal for 8 s (READY_DELAY_MS, test only).
 * The head waits START_READY_TIMEOUT_MS (2.5 s here) for it, then fixes the start instant
 * without it and says so in the campaign's logs, naming the chunk; the ready zone starts on the
 * plan, the late one joins when it can, and nothing it was asked for is lost.
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { executionSchema, reportSchema } from '@barrage/contracts';
import { startFactory, startHead, stopChild, waitFor, waitForEnd, type Api } from './support/cluster';

jest.setTimeout(120_000);

const READY_WAIT_MS = 2500;
const READY_DELAY_MS = 8000;
const MINIONS = 3;

let api: Api;
let head: ChildProcess;
const factories: ChildProcess[] = [];
let server: Server;
let base = '';
/** Requests the target received, by path. */
const received = new Map<string, number>();
const tag = randomUUID().slice(0, 6);
const zones = { prompt: `prompt-${tag}`, slow: `slow-${tag}` };

beforeAll(async () => {
  server = createServer((req, res) => {
    received.set(req.url ?? '/', (received.get(req.url ?? '/') ?? 0) + 1);
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  ({ api, process: head } = await startHead(tag, { START_READY_TIMEOUT_MS: String(READY_WAIT_MS) }));
  factories.push(await startFactory(api, { zone: zones.prompt, id: `${zones.prompt}-f0` }));
  factories.push(await startFactory(api, { zone: zones.slow, id: `${zones.slow}-f0`, env: { READY_DELAY_MS: String(READY_DELAY_MS) } }));
});

afterAll(async () => {
  const codes = await Promise.all([...factories.map((f) => stopChild(f, 20_000)), head && stopChild(head, 20_000)]);
  await new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  expect(codes).toEqual(codes.map(() => 0));
});

it('starts without a chunk that is not ready within START_READY_TIMEOUT_MS, names it in the logs, and the late chunk still sends all it was asked for', async () => {
  for (const side of ['prompt', 'slow'] as const) {
    const saved = await api.request('POST', '/scenarios', { name: `ready-${side}-${tag}`, steps: [{ name: 'hit', method: 'GET', url: `${base}/${side}` }] });
    expect(saved.status).toBe(201);
  }
  const created = await api.request('POST', '/campaigns', {
    name: 'one zone not ready',
    startOffsetMs: 500,
    scenarios: {
      [`ready-prompt-${tag}`]: { minionsCount: MINIONS, zones: { [zones.prompt]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } },
      [`ready-slow-${tag}`]: { minionsCount: MINIONS, zones: { [zones.slow]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } },
    },
  });
  expect(created.status).toBe(201);
  const key = created.body.key as string;
  const done = await waitForEnd(api, key);
  expect(done.status).toBe('completed');

  const logs = (await api.request('GET', `/campaigns/${key}/logs`)).body as { level: string; message: string }[];
  const notReady = logs.filter((l) => l.message.startsWith('Not ready'));
  expect(notReady).toHaveLength(1);
  expect(notReady[0]!.level).toBe('WARN');
  expect(notReady[0]!.message).toContain(`Not ready after ${READY_WAIT_MS} ms`);
  expect(notReady[0]!.message).toContain(`zone ${zones.slow}`);
  expect(notReady[0]!.message).not.toContain(`zone ${zones.prompt}`);

  const report = reportSchema.parse((await api.request('GET', `/campaigns/${key}/report`)).body);
  const execution = executionSchema.parse((await api.request('GET', `/campaigns/${key}/execution`)).body);
  const startAt = Date.parse(report.start.startAt!);
  const chunkOf = (zone: string) => report.start.zones.find((z) => z.zone === zone)!.chunks[0]!;
  const prompt = chunkOf(zones.prompt);
  const slow = chunkOf(zones.slow);
  // The start did not wait for the slow chunk: it became ready after the instant was fixed.
  expect(Date.parse(prompt.readyAt!)).toBeLessThan(startAt);
  expect(Date.parse(slow.readyAt!)).toBeGreaterThan(startAt);
  // The ready zone started on the plan; the late one joined late, so it has no start lateness
  // to show and does not count in the campaign's spread.
  expect(prompt.startLatenessMs).not.toBeNull();
  expect(slow.startLatenessMs).toBeNull();
  expect(execution.zones.find((z) => z.zone === zones.slow)!.chunks[0]!.startLatenessMs).toBeNull();

  // Nothing lost: each zone's minions all ran, and the target saw what the report counts.
  const requests = (scenario: string) => report.scenarios.find((s) => s.name === scenario)!.steps[0]!.requests;
  expect(received.get('/prompt')).toBe(MINIONS);
  expect(received.get('/slow')).toBe(MINIONS);
  expect(requests(`ready-prompt-${tag}`)).toBe(MINIONS);
  expect(requests(`ready-slow-${tag}`)).toBe(MINIONS);
});
