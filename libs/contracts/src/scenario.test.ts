import { createCampaignSchema } from './campaign';
import { scenarioSchema, urlProblem } from './scenario';
import { templateProblems } from './templates';

describe('step URLs checked at save time', () => {
  it('refuses a URL that cannot be one once the scenario variables are in', () => {
    expect(urlProblem('http://', {})).toMatch(/not a valid URL/);
    expect(urlProblem('ftp://x/', {})).toMatch(/http/);
    expect(urlProblem('{{base}}/x', { base: 'localhost:8080' })).toMatch(/must use http/);
    expect(urlProblem('{{base}}/x', { base: 'no url' })).toMatch(/not a valid URL/);
    expect(urlProblem('{{base}}/x', { base: 'http://127.0.0.1:8080' })).toBeNull();
    expect(urlProblem('http://127.0.0.1/{{ id }}', {})).toBeNull(); // resolved per request
    expect(urlProblem('{{base}}/x', {})).toBeNull(); // a campaign variable or a data row
  });

  it('names the step whose URL is wrong', () => {
    const r = scenarioSchema.safeParse({ name: 's', steps: [{ name: 'ok', url: 'http://127.0.0.1/' }, { name: 'bad', url: 'http://' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['steps.1.url']);
  });
});

describe('campaign numbers within what can be planned and stored', () => {
  const base = { name: 'c', scenarios: { s: {} } };
  it.each([
    [{ speedFactor: 5e-324 }, 'speedFactor'],
    [{ speedFactor: 1e308 }, 'speedFactor'],
    [{ timeoutMs: 99999999999 }, 'timeoutMs'],
    [{ timeout: 'P999999D' }, 'timeout'],
    [{ startOffsetMs: 1e12 }, 'startOffsetMs'],
    [{ scenarios: { s: { minionsCount: 99999999999 } } }, 'scenarios.s.minionsCount'],
    [{ scenarios: { s: { executionProfile: { profile: 'STAGE', stages: [{ minionsCount: 99999999999, rampUpDurationMs: 1000, totalDurationMs: 1000 }] } } } }, 'scenarios.s.executionProfile.stages.0.minionsCount'],
    [{ scenarios: { s: { executionProfile: { profile: 'CONSTANT_RATE', rate: 1e9, durationMs: 1000 } } } }, 'scenarios.s.executionProfile.rate'],
    [{ scenarios: { s: { executionProfile: { profile: 'CONSTANT_RATE', rate: 10, durationMs: 1e15 } } } }, 'scenarios.s.executionProfile.durationMs'],
  ])('%j is refused at %s', (extra, path) => {
    const r = createCampaignSchema.safeParse({ ...base, ...extra });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('data rows', () => {
  const steps = [{ name: 'a', url: 'http://127.0.0.1/{{user}}' }];
  it('parses CSV text into rows (quotes, CRLF, a BOM)', () => {
    const s = scenarioSchema.parse({ name: 's', steps, data: { mode: 'unique', csv: '\uFEFFuser,pass\r\n"a,1",x\r\nb,"say ""hi"""\r\n' } });
    expect(s.data).toEqual({ mode: 'unique', rows: [{ user: 'a,1', pass: 'x' }, { user: 'b', pass: 'say "hi"' }] });
  });
  it.each([
    [{ mode: 'sequential' }, 'exactly one of rows or csv'],
    [{ rows: [{ a: '1' }], csv: 'a\n1' }, 'exactly one of rows or csv'],
    [{ csv: 'a,b\n1,2,3' }, 'not valid CSV'],
    [{ csv: 'a,b' }, 'no rows'],
  ])('%j is refused: %s', (data, words) => {
    const r = scenarioSchema.safeParse({ name: 's', steps, data });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toContain(words);
  });
});

describe('template names', () => {
  const scenario = {
    name: 's',
    variables: { base: 'http://127.0.0.1:1' },
    secrets: { key: 'k' },
    data: { rows: [{ user: 'u' }] },
    steps: [
      { name: 'login', url: '{{base}}/login', body: { json: { user: '{{user}}', stamp: '{{$now}}' } }, extract: { token: { jsonPath: '$.token' } } },
      { name: 'home', url: '{{base}}/home', headers: { authorization: 'Bearer {{token}}', 'x-key': '{{secret.key}}', 'x-env': '{{env}}' } },
    ],
  };
  it('a scenario alone is refused only for names that can never resolve', () => {
    expect(scenarioSchema.safeParse(scenario).success).toBe(true);
    const bad = { ...scenario, steps: [{ name: 'a', url: 'http://127.0.0.1/{{$nope}}', headers: { k: '{{secret.missing}}' } }] };
    const r = scenarioSchema.safeParse(bad);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message.slice(0, 20)])).toEqual([
      ['steps.0.url', 'unknown built-in {{$'],
      ['steps.0.headers.k', '{{secret.missing}} n'],
    ]);
  });
  it('with the campaign variables every name must resolve, extractions only for later steps', () => {
    const s = scenarioSchema.parse(scenario);
    expect(templateProblems(s, { env: 'prod' })).toEqual([]);
    expect(templateProblems(s, {}).map((p) => p.path.join('.'))).toEqual(['steps.1.headers.x-env']);
    const early = scenarioSchema.parse({ ...scenario, steps: [scenario.steps[1], scenario.steps[0]] });
    expect(templateProblems(early, { env: 'x' }).map((p) => p.message)).toEqual([expect.stringContaining('{{token}}')]);
  });
  it('checks on streams need a stream', () => {
    const r = scenarioSchema.safeParse({ name: 's', steps: [{ name: 'a', url: 'http://127.0.0.1/', tokenUsagePath: '$.usage', checks: [{ bodyContains: 'x', on: 'lastEvent' }] }] });
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['steps.0.tokenUsagePath', 'steps.0.stream']);
  });
});
