import { createServer } from 'node:net';
import { StepRecorder, summarizeEncoded, type StepIntervalData } from '@barrage/metrics';
import { scenarioSchema, stepSnapshotSchema, type ScenarioInput } from '@barrage/contracts';
import { ClusterClock } from '../clock';
import { Connections } from '../http/connections';
import { compileScenario } from '../scenario/compiled';
import { Iteration, prepareSteps, type IterationContext } from './iteration';
import { startRawHttpServer } from '../http/raw-http-server.test-support';

/** The raw server's answers: /404 → 404, /500 → 500, /slow → 200 after 30 ms, /big a 20 kB body, else 200. */
function responseFor(method: string, path: string): string {
  const status = path.startsWith('/404') ? '404 Not Found' : path.startsWith('/500') ? '500 Internal Server Error' : '200 OK';
  const body = path.startsWith('/big') ? 'b'.repeat(20_000) : 'hello world';
  const head = `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nX-Server: raw\r\n\r\n`;
  return method === 'HEAD' ? head : head + body;
}

const rawServer = () => startRawHttpServer((method, path) => ({ response: responseFor(method, path), delayMs: path.startsWith('/slow') ? 30 : 0 }));

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs `iterations` iterations of a scenario one after the other on one minion; returns each step's interval data. */
async function run(input: ScenarioInput, iterations = 1, spy?: (recorders: StepRecorder[]) => void): Promise<StepIntervalData[]> {
  const scenario = compileScenario(scenarioSchema.parse(input), {});
  const connections = new Connections();
  const recorders = scenario.steps.map((s) => new StepRecorder(s.name));
  spy?.(recorders);
  const clock = new ClusterClock();
  try {
    await new Promise<void>((resolve) => {
      let n = 0;
      const ctx: IterationContext = {
        clock,
        scenario,
        recorders,
        connections,
        nextRow: () => null,
        whenRows: () => undefined,
        allowsOrigin: () => true,
        iterationEnded(it) {
          if (++n < iterations) setImmediate(() => it.begin(0, n, clock.now()));
          else resolve();
        },
      };
      new Iteration(ctx, prepareSteps(scenario, connections)).begin(0, 0, clock.now());
    });
  } finally {
    await connections.close();
  }
  return recorders.map((r) => r.swap());
}

describe('Iteration: what a step records', () => {
  let srv: Awaited<ReturnType<typeof rawServer>>;
  beforeEach(async () => {
    srv = await rawServer();
  });
  afterEach(async () => {
    await srv.close();
  });

  it('the last step\'s think time paces a looping minion before its next iteration', async () => {
    const t0 = performance.now();
    const data = await run({ name: 'paced', steps: [{ name: 'only', url: `${srv.origin}/x`, thinkTimeMs: 40 }] }, 4);
    expect(data[0]!.requests).toBe(4);
    // Four pauses of 40 ms, each after a response: at least 160 ms in all (a lower bound, no upper one).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(159);
  });

  it('bytesOut and bytesIn equal what crosses the socket: GET, POST with body and headers, templated, HEAD', async () => {
    const steps = [
      { name: 'get', url: `${srv.origin}/items?page=1`, headers: { Accept: 'text/plain', 'X-Trace': 'abc' } },
      { name: 'post', method: 'POST', url: `${srv.origin}/login`, headers: { 'x-client': 'barrage' }, body: { json: { user: 'zoë', pass: '€', pad: 'p'.repeat(300) } } },
      // variables make the request templated: rendered, and counted, per request
      { name: 'templated', method: 'PUT', url: `${srv.origin}/users/{{$iteration}}`, headers: { 'x-minion': '{{$minionId}}' }, body: { text: 'it {{$iteration}}' } },
      { name: 'form', method: 'POST', url: `${srv.origin}/form`, body: { form: { a: '1', b: 'two words' } } },
      { name: 'big', url: `${srv.origin}/big` },
    ];
    const data = await run({ name: 'bytes', steps }, 2);
    expect(srv.exchanges).toHaveLength(steps.length * 2);
    data.forEach((d, i) => {
      const mine = srv.exchanges.filter((_, j) => j % steps.length === i);
      expect(d.requests).toBe(2);
      expect(d.successes).toBe(2);
      expect(d.bytesOut).toBe(mine.reduce((n, e) => n + e.requestBytes, 0));
      expect(d.bytesIn).toBe(mine.reduce((n, e) => n + e.responseBytes, 0));
    });
    expect(data[0]!.bytesOut).toBeGreaterThan(0); // a GET is not 0 bytes any more
  });

  it('a HEAD counts its head both ways (its socket is closed after it)', async () => {
    const [d] = await run({ name: 'head', steps: [{ name: 'h', method: 'HEAD', url: `${srv.origin}/h` }] }, 3);
    expect(d!.requests).toBe(3);
    expect(d!.bytesOut).toBe(srv.exchanges.reduce((n, e) => n + e.requestBytes, 0));
    expect(d!.bytesIn).toBe(srv.exchanges.reduce((n, e) => n + e.responseBytes, 0));
  });

  it('times first byte and download per response, and connect for the request that opened the socket', async () => {
    const data = await run(
      {
        name: 'timings',
        steps: [
          { name: 'first', url: `${srv.origin}/a` },
          { name: 'slow', url: `${srv.origin}/slow` },
        ],
      },
      3,
    );
    const [first, slow] = data as [StepIntervalData, StepIntervalData];
    // one socket for the minion, opened by its first request
    expect(srv.sockets).toBe(1);
    expect(first.timings.connections).toBe(1);
    expect(first.timings.connectUs).toBeGreaterThan(0);
    expect(first.timings.tlsUs).toBe(0);
    expect(slow.timings.connections).toBe(0);
    expect(slow.timings.connectUs).toBe(0);
    expect(first.timings.responses).toBe(3);
    expect(slow.timings.responses).toBe(3);
    // the server waits 30 ms before answering /slow: that is time to first byte
    expect(slow.timings.firstByteUs).toBeGreaterThanOrEqual(3 * 29_000);
    expect(slow.timings.firstByteUs).toBeLessThan(3 * 1_000_000);
    expect(first.timings.downloadUs).toBeGreaterThanOrEqual(0);
    for (const d of data) {
      // first byte + download is the service time (send → last byte), up to the histogram's precision
      const svc = summarizeEncoded(d.serviceTime);
      const serviceUs = svc.mean * svc.count * 1000;
      expect(Math.abs(d.timings.firstByteUs + d.timings.downloadUs - serviceUs)).toBeLessThanOrEqual(serviceUs * 0.01 + 3);
      expect(stepSnapshotSchema.parse(JSON.parse(JSON.stringify(d)))).toBeTruthy();
    }
  });

  it('a new socket after the old one closed is timed again, for the request that opened it', async () => {
    // HEAD resets its socket: every request opens one
    const [d] = await run({ name: 'reconnect', steps: [{ name: 'h', method: 'HEAD', url: `${srv.origin}/h` }] }, 3);
    expect(srv.sockets).toBe(3);
    expect(d!.timings.connections).toBe(3);
    expect(d!.timings.connectUs).toBeGreaterThan(0);
  });

  it('counts evaluated checks: one per check present; none without checks', async () => {
    const data = await run(
      {
        name: 'checks',
        steps: [
          { name: 'none', url: `${srv.origin}/404` }, // http_4xx, but no check
          { name: 'status', url: `${srv.origin}/a`, checks: [{ status: [200] }] },
          { name: 'all', url: `${srv.origin}/a`, checks: [{ status: [201] }, { maxLatencyMs: 10_000 }, { bodyContains: 'nope', name: 'has nope' }] },
          { name: 'latency', url: `${srv.origin}/a`, checks: [{ maxLatencyMs: 10_000 }] },
        ],
      },
      2,
    );
    expect(data.map((d) => d.checks)).toEqual([0, 2, 6, 2]);
    expect(data[2]!.failedChecks).toEqual({ status: 2, 'has nope': 2 });
    expect(data[2]!.failureKinds).toEqual({ check_failed: 2 });
  });

  it('samples failures: http_4xx / http_5xx / check_failed with the request, status and message', async () => {
    const t0 = Date.now();
    const data = await run({
      name: 'samples',
      steps: [
        { name: 'nf', url: `${srv.origin}/404?x=1` },
        { name: 'ise', method: 'POST', url: `${srv.origin}/500`, body: { text: 'x' } },
        { name: 'chk', url: `${srv.origin}/a`, checks: [{ status: [200] }, { bodyContains: 'absent', name: 'body has absent' }] },
        { name: 'chk-status', url: `${srv.origin}/500`, checks: [{ status: [200], name: 'is 200' }, { bodyContains: 'absent' }] },
        { name: 'ok', url: `${srv.origin}/a` },
      ],
    });
    const [nf, ise, chk, chkStatus, ok] = data as StepIntervalData[];
    expect(nf!.samples).toEqual([{ kind: 'http_4xx', request: `GET ${srv.origin}/404?x=1`, status: 404, message: 'HTTP 404', at: expect.any(Number) }]);
    expect(ise!.samples).toEqual([{ kind: 'http_5xx', request: `POST ${srv.origin}/500`, status: 500, message: 'HTTP 500', at: expect.any(Number) }]);
    expect(chk!.samples).toEqual([{ kind: 'check_failed', request: `GET ${srv.origin}/a`, status: 200, message: 'body has absent', at: expect.any(Number) }]);
    // the first failed check names the sample
    expect(chkStatus!.samples).toEqual([{ kind: 'check_failed', request: `GET ${srv.origin}/500`, status: 500, message: 'is 200', at: expect.any(Number) }]);
    expect(ok!.samples).toEqual([]);
    for (const d of [nf, ise, chk, chkStatus]) {
      const at = d!.samples[0]!.at;
      expect(Number.isInteger(at)).toBe(true);
      expect(at).toBeGreaterThanOrEqual(t0 - 5);
      expect(at).toBeLessThanOrEqual(Date.now() + 5);
    }
  });

  it('samples transport errors with a null status and the error message', async () => {
    const port = await closedPort();
    const [d] = await run({ name: 'refused', steps: [{ name: 'down', url: `http://127.0.0.1:${port}/x` }] });
    expect(d!.failureKinds).toEqual({ connect_refused: 1 });
    expect(d!.samples).toHaveLength(1);
    const s = d!.samples[0]!;
    expect(s.kind).toBe('connect_refused');
    expect(s.request).toBe(`GET http://127.0.0.1:${port}/x`);
    expect(s.status).toBeNull();
    expect(s.message).toMatch(/ECONNREFUSED/);
    // no response, no socket: nothing timed
    expect(d!.timings).toEqual({ connectUs: 0, tlsUs: 0, connections: 0, firstByteUs: 0, downloadUs: 0, responses: 0 });
  });

  it('samples a template that cannot be rendered, as other, with the URL as written', async () => {
    const [d] = await run({ name: 'tpl', steps: [{ name: 't', url: `${srv.origin}/u/{{missing}}` }] });
    expect(d!.failureKinds).toEqual({ other: 1 });
    expect(d!.samples).toEqual([
      { kind: 'other', request: `GET ${srv.origin}/u/{{missing}}`, status: null, message: 'unresolved template variable {{missing}}', at: expect.any(Number) },
    ]);
    expect(srv.exchanges).toHaveLength(0);
  });

  it('keeps at most 3 samples per kind and interval, and asks before building one', async () => {
    let addSample: jest.SpyInstance | null = null;
    let wantsSample: jest.SpyInstance | null = null;
    const [d] = await run({ name: 'cap', steps: [{ name: 'nf', url: `${srv.origin}/404` }] }, 7, (recorders) => {
      addSample = jest.spyOn(recorders[0]!, 'addSample');
      wantsSample = jest.spyOn(recorders[0]!, 'wantsSample');
    });
    expect(d!.failures).toBe(7);
    expect(d!.samples).toHaveLength(3);
    expect(wantsSample!).toHaveBeenCalledTimes(7);
    expect(addSample!).toHaveBeenCalledTimes(3); // the request string is not built for the 4 dropped ones
  });

  it('a long URL is cut to 300 characters in the sample', async () => {
    const path = `/404/${'a'.repeat(400)}`;
    const [d] = await run({ name: 'long', steps: [{ name: 'nf', url: `${srv.origin}${path}` }] });
    expect(d!.samples[0]!.request).toBe(`GET ${srv.origin}${path}`.slice(0, 300));
  });
});

// A hard stop, and the end of a chunk's warm-up, cut iterations short: one waiting out a think
// time must end then, not when the pause is over, and send nothing more.
describe('Iteration.abort', () => {
  it('ends an iteration in a think time at once, without its next step, and one after its last step too', async () => {
    const srv = await rawServer();
    const scenario = compileScenario(scenarioSchema.parse({ name: 'thinking', steps: [{ name: 'a', url: `${srv.origin}/a`, thinkTimeMs: 60_000 }, { name: 'b', url: `${srv.origin}/b`, thinkTimeMs: 60_000 }] }), {});
    const connections = new Connections();
    const recorders = scenario.steps.map((s) => new StepRecorder(s.name));
    const clock = new ClusterClock();
    const ended: Iteration[] = [];
    const ctx: IterationContext = { clock, scenario, recorders, connections, nextRow: () => null, whenRows: () => undefined, allowsOrigin: () => true, iterationEnded: (it) => void ended.push(it) };
    const prepared = prepareSteps(scenario, connections);
    try {
      const waitFor = async (cond: () => boolean) => {
        for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
      };
      // One in the pause after step a, one in the pause after its last step (b).
      const first = new Iteration(ctx, prepared);
      first.begin(0, 0, clock.now());
      const second = new Iteration(ctx, [prepared[1]!]);
      second.begin(1, 0, clock.now());
      await waitFor(() => srv.exchanges.length === 2);
      await new Promise((r) => setTimeout(r, 20)); // both responses read: both now think
      expect(ended).toEqual([]);
      first.abort();
      second.abort();
      expect(ended).toEqual([first, second]);
      await new Promise((r) => setTimeout(r, 100));
      expect(srv.exchanges.map((e) => e.path).sort()).toEqual(['/a', '/b']);
      expect(ended).toHaveLength(2);
    } finally {
      await connections.close();
      await srv.close();
    }
  });
});
