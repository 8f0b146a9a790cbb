import { createCampaignSchema } from './campaign';
import { scenarioSchema, urlProblem } from './scenario';

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
