/**
 * The scenario language end to end (docs/api.md#scenarios): a login flow whose token is
 * extracted and sent on, `unique` CSV rows over two factories, a streamed (SSE) step, the
 * dry run, and names that cannot resolve. The target is written for the test: it issues a
 * token per user on login, refuses requests without one, and streams chat-like events.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { stepDetailSchema, tryResultSchema } from '@barrage/contracts';
import { startCluster, waitForEnd, type Cluster } from './support/cluster';

jest.setTimeout(240_000);

/** What the target saw. */
interface Seen {
  logins: string[];
  authorised: number;
  refused: number;
  chats: number;
}

const TTFE_MS = 150;
const EVENT_GAP_MS = 40;
const EVENTS = 5;

function startAuthTarget(): Promise<{ url: string; seen: Seen; server: Server; reset(): void }> {
  const seen: Seen = { logins: [], authorised: 0, refused: 0, chats: 0 };
  const tokens = new Set<string>();
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.on('data', (c) => (s += c));
      req.on('end', () => resolve(s));
    });
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.method === 'POST' && req.url === '/login') {
      const { user, pass } = JSON.parse(body) as { user: string; pass: string };
      seen.logins.push(user);
      if (pass !== `pw-${user}`) return void res.writeHead(403).end('{"error":"bad password"}');
      const token = `t-${user}-${tokens.size}`;
      tokens.add(token);
      res.writeHead(200, { 'content-type': 'application/json', 'x-session': `s-${user}` }).end(JSON.stringify({ token, user: { name: user, role: 'tester' } }));
      return;
    }
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth || !tokens.has(auth[1]!)) {
      seen.refused++;
      return void res.writeHead(401).end('{"error":"no token"}');
    }
    seen.authorised++;
    if (req.url === '/chat') {
      seen.chats++;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let i = 0;
      const send = () => {
        if (i < EVENTS) {
          const last = i === EVENTS - 1;
          res.write(`data: ${JSON.stringify({ delta: `w${i}`, ...(last ? { usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } } : {}) })}\n\n`);
          i++;
          setTimeout(send, EVENT_GAP_MS);
        } else res.end('data: [DONE]\n\n');
      };
      setTimeout(send, TTFE_MS);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [1, 2, 3], who: auth[1] }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        seen,
        server,
        reset: () => {
          seen.logins = [];
          seen.authorised = seen.refused = seen.chats = 0;
        },
      }),
    ),
  );
}

let cluster: Cluster;
let target: Awaited<ReturnType<typeof startAuthTarget>>;

beforeAll(async () => {
  target = await startAuthTarget();
  // Two factories in one zone: `unique` rows must not be shared between them.
  cluster = await startCluster({ factories: [{ zone: 'lang', capacity: 100 }, { zone: 'lang', capacity: 100 }] });
});

afterAll(async () => {
  const codes = await cluster?.stop();
  await new Promise((r) => target?.server.close(r));
  expect(codes).toEqual(codes?.map(() => 0));
});

beforeEach(() => target.reset());

const loginStep = {
  name: 'login',
  method: 'POST',
  url: '{{base}}/login',
  body: { json: { user: '{{user}}', pass: 'pw-{{user}}' } },
  checks: [{ status: [200] }, { jsonPath: '$.token' }, { jsonPath: '$.user.role', in: ['tester', 'admin'] }, { header: 'content-type', matches: 'json' }],
  extract: { token: { jsonPath: '$.token' }, session: { header: 'x-session' } },
  stopOnFailure: true,
};
const browseStep = {
  name: 'browse',
  url: '{{base}}/items',
  headers: { authorization: 'Bearer {{token}}', 'x-session': '{{session}}' },
  checks: [{ status: [200] }, { jsonPath: '$.items[2]', equals: 3 }, { bodyMatches: '"who":"t-' }],
};

async function save(body: Record<string, unknown>) {
  const res = await cluster.api.request('POST', '/scenarios', body);
  expect(res.status).toBe(201);
  return res.body;
}

async function run(scenario: string, scenarioSpec: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const created = await cluster.api.request('POST', '/campaigns', { name: `lang ${scenario}`, startOffsetMs: 200, scenarios: { [scenario]: { zones: { [cluster.zones[0]!]: 100 }, ...scenarioSpec } }, ...extra });
  expect(created.status).toBe(201);
  const done = await waitForEnd(cluster.api, created.body.key);
  return { key: created.body.key as string, done };
}

async function step(key: string, name: string) {
  return stepDetailSchema.parse((await cluster.api.request('GET', `/campaigns/${key}/steps/${name}`)).body);
}

it('a login flow: the token extracted from the JSON answer authorises the next step, and the target agrees with the report', async () => {
  const rows = Array.from({ length: 8 }, (_, i) => ({ user: `u${i}` }));
  await save({ name: 'lang-login', variables: { base: 'http://127.0.0.1:1' }, data: { mode: 'sequential', rows }, loop: true, steps: [loginStep, browseStep] });
  // The campaign's variables override the scenario's (a wrong base) for this run.
  const { key, done } = await run('lang-login', { minionsCount: 6, executionProfile: { profile: 'STAGE', stages: [{ minionsCount: 6, rampUpDurationMs: 500, totalDurationMs: 3000 }] } }, { variables: { base: target.url } });
  expect(done.status).toBe('completed');
  const login = await step(key, 'login');
  const browse = await step(key, 'browse');
  expect(login.requests).toBeGreaterThan(20);
  expect(target.seen.refused).toBe(0);
  expect(browse.failures).toBe(0);
  expect(browse.requests - browse.failures).toBe(target.seen.authorised);
  expect(login.requests).toBe(target.seen.logins.length);
  // Every check was evaluated on every response: four on login (two extractions too), three on browse.
  expect(login.checks).toEqual({ evaluated: login.requests * 6, failed: 0, passRate: 1 });
  expect(browse.checks).toEqual({ evaluated: browse.requests * 3, failed: 0, passRate: 1 });
  // Sequential rows never run out.
  const execution = (await cluster.api.request('GET', `/campaigns/${key}/execution`)).body;
  const flags = execution.zones.flatMap((z: any) => z.chunks.map((c: any) => c.rowsExhausted));
  expect(flags.length).toBeGreaterThan(0);
  expect(flags).toEqual(flags.map(() => false));
});

it('a failed extraction is a counted step failure named after the value', async () => {
  await save({
    name: 'lang-bad-extract',
    variables: { base: target.url },
    data: { rows: [{ user: 'x' }] },
    steps: [{ ...loginStep, extract: { token: { jsonPath: '$.nothing' }, session: { header: 'x-session' } } }, browseStep],
  });
  const { key } = await run('lang-bad-extract', { minionsCount: 4, executionProfile: { profile: 'IMMEDIATELY' } });
  const login = await step(key, 'login');
  expect(login).toMatchObject({ requests: 4, failures: 4, errors: { byKind: { extract_failed: 4 }, byCheck: { 'extract token': 4 } } });
  // stopOnFailure: the next step never ran, so no request went out without a token.
  expect(target.seen.refused).toBe(0);
  const errors = (await cluster.api.request('GET', `/campaigns/${key}/errors`)).body;
  expect(JSON.stringify(errors)).toContain('extract token');
});

it('unique CSV rows over two factories: every row is used exactly once, then minions end', async () => {
  const users = Array.from({ length: 40 }, (_, i) => `user${String(i).padStart(2, '0')}`);
  const csv = `user,note\n${users.map((u, i) => `${u},"row ${i}, quoted"`).join('\n')}\n`;
  await save({ name: 'lang-unique', variables: { base: target.url }, data: { mode: 'unique', csv }, steps: [loginStep] });
  // 60 minions for 40 rows: 40 log in once each; 20 find no row left and end.
  const { key, done } = await run('lang-unique', { minionsCount: 60, executionProfile: { profile: 'REGULAR', periodMs: 100, minionsCountProLaunch: 6 } });
  expect(done.status).toBe('completed');
  const execution = (await cluster.api.request('GET', `/campaigns/${key}/execution`)).body;
  const factories = new Set(execution.zones.flatMap((z: any) => z.chunks.map((c: any) => c.factoryId)));
  expect(factories.size).toBe(2);
  expect([...target.seen.logins].sort()).toEqual(users);
  const login = await step(key, 'login');
  expect(login.requests).toBe(40);
  const logs = (await cluster.api.request('GET', `/campaigns/${key}/logs`)).body;
  expect(JSON.stringify(logs)).toContain('unique data rows ran out');
  // The execution route names the chunks whose minions ran out of rows: the same ones the log does.
  const exhausted = execution.zones.flatMap((z: any) => z.chunks.filter((c: any) => c.rowsExhausted).map((c: any) => c.id)).sort();
  expect(exhausted.length).toBeGreaterThan(0);
  const text = JSON.stringify(logs);
  expect(text.split("unique data rows ran out").length - 1).toBe(exhausted.length);
  for (const id of exhausted) expect(text).toContain(`Chunk ${id}: the scenario's unique data rows ran out`);
});

it('a streamed step records time to first event apart from the latency, events and tokens', async () => {
  await save({
    name: 'lang-chat',
    variables: { base: target.url },
    data: { rows: [{ user: 'c' }] },
    steps: [
      loginStep,
      {
        name: 'chat',
        url: '{{base}}/chat',
        headers: { authorization: 'Bearer {{token}}' },
        stream: 'sse',
        tokenUsagePath: '$.usage',
        checks: [{ status: [200] }, { jsonPath: '$.usage.total_tokens', equals: 15, on: 'lastEvent' }, { bodyContains: '"w0"' }],
      },
    ],
  });
  const { key } = await run('lang-chat', { minionsCount: 5, executionProfile: { profile: 'IMMEDIATELY' } });
  const chat = await step(key, 'chat');
  expect(chat).toMatchObject({ requests: 5, failures: 0 });
  expect(target.seen.chats).toBe(5);
  const stream = chat.stream!;
  expect(stream).toMatchObject({ responses: 5, events: 5 * (EVENTS + 1), eventsPerResponse: EVENTS + 1, tokens: { prompt_tokens: 50, completion_tokens: 25, total_tokens: 75 } });
  // The first event comes TTFE_MS after the head; the last (EVENTS - 1) gaps later.
  expect(stream.timeToFirstEvent.count).toBe(5);
  expect(stream.timeToFirstEvent.p50).toBeGreaterThanOrEqual(TTFE_MS - 5);
  expect(chat.serviceTime.p50).toBeGreaterThanOrEqual(TTFE_MS + (EVENTS - 1) * EVENT_GAP_MS - 5);
  expect(stream.timeToFirstEvent.max).toBeLessThan(chat.serviceTime.min);
});

it('/try runs one iteration of a saved and of an unsaved scenario, secrets masked', async () => {
  const secret = 'sk-very-secret-value';
  await save({
    name: 'lang-try',
    variables: { base: 'http://127.0.0.1:1' },
    secrets: { apiKey: secret },
    data: { rows: [{ user: 'try' }] },
    steps: [loginStep, { ...browseStep, headers: { ...browseStep.headers, 'x-api-key': '{{secret.apiKey}}' } }],
  });
  const stored = await cluster.api.request('GET', '/scenarios/lang-try');
  expect(stored.body.secrets).toEqual({ apiKey: '********' });
  expect(JSON.stringify(stored.body)).not.toContain(secret);

  const saved = await cluster.api.request('POST', '/scenarios/lang-try/try', { variables: { base: target.url } });
  expect(saved.status).toBe(200);
  const r = tryResultSchema.parse(saved.body);
  expect(r).toMatchObject({ scenario: 'lang-try', version: stored.body.version, passed: true, skipped: [], row: { user: 'try' } });
  expect(r.steps.map((s) => [s.name, s.response?.status, s.passed])).toEqual([['login', 200, true], ['browse', 200, true]]);
  expect(r.steps[0]!.extracted).toEqual({ token: expect.stringMatching(/^t-try-/), session: 's-try' });
  expect(r.steps[0]!.checks.map((c) => c.name)).toEqual(['status', '$.token exists', '$.user.role in ["tester","admin"]', 'header content-type ~ /json/']);
  expect(r.steps[1]!.request!.headers['x-api-key']).toBe('********');
  expect(r.steps[1]!.request!.headers.authorization).toBe(`Bearer ${r.steps[0]!.extracted.token}`);
  expect(r.steps[1]!.timings!.totalMs).toBeGreaterThan(0);
  expect(JSON.stringify(saved.body)).not.toContain(secret);
  expect(target.seen.authorised).toBe(1);

  const unsaved = await cluster.api.request('POST', '/scenarios/try', {
    name: 'draft',
    steps: [
      { name: 'login', method: 'POST', url: `${target.url}/login`, body: { json: { user: 'd', pass: 'wrong' } }, checks: [{ status: [200] }], stopOnFailure: true },
      { name: 'never', url: `${target.url}/items` },
    ],
  });
  expect(unsaved.status).toBe(200);
  const u = tryResultSchema.parse(unsaved.body);
  expect(u).toMatchObject({ scenario: 'draft', version: null, passed: false, skipped: ['never'] });
  expect(u.steps[0]).toMatchObject({ response: { status: 403, bodyExcerpt: '{"error":"bad password"}' }, checks: [{ name: 'status', passed: false }], passed: false });

  expect((await cluster.api.request('POST', '/scenarios/nope/try', {})).status).toBe(404);
  expect((await cluster.api.request('POST', '/scenarios/try', { name: 'x', steps: [] })).status).toBe(400);
});

it('names that cannot resolve are refused at save time when they can be known, otherwise counted', async () => {
  const bad = await cluster.api.request('POST', '/scenarios', { name: 'lang-bad', steps: [{ name: 'a', url: 'http://127.0.0.1:1/{{$nope}}', headers: { k: '{{secret.none}}' } }] });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['steps.0.url', 'steps.0.headers.k']);

  await save({ name: 'lang-unknown', steps: [{ name: 'a', url: '{{base}}/x', headers: { 'x-env': '{{env}}' } }] });
  const refused = await cluster.api.request('POST', '/campaigns', { name: 'c', scenarios: { 'lang-unknown': { minionsCount: 1 } }, variables: { base: target.url } });
  expect(refused.status).toBe(400);
  expect(refused.body.error.message).toContain('{{env}}');
  expect(refused.body.error.details[0].path).toBe('scenarios.lang-unknown.steps.0.headers.x-env');

  // A data column is known at save time, but this row's value is no URL: every iteration fails
  // at run time without a request, counted as `other`. The looping minions then never wait on
  // I/O; the factory still yields between their iterations, so the soft timeout ends them.
  await save({ name: 'lang-unsendable', loop: true, data: { rows: [{ host: 'not a url' }] }, steps: [{ name: 'a', url: '{{host}}/x' }] });
  const { key, done } = await run('lang-unsendable', { minionsCount: 2 }, { timeoutMs: 1000 });
  expect(done.status).toBe('completed');
  const a = await step(key, 'a');
  expect(a.requests).toBeGreaterThan(2);
  expect(a.failures).toBe(a.requests);
  expect(a.errors.byKind).toEqual({ other: a.requests });
  expect(target.seen).toMatchObject({ logins: [], authorised: 0, refused: 0 });
});
