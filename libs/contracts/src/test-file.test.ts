import { testFileSchema } from './test-file';

const scenario = { name: 'browse', steps: [{ name: 'home', url: 'http://127.0.0.1:8080/' }] };
const campaign = { name: 'smoke', scenarios: { browse: { minionsCount: 2 } }, thresholds: { browse: ['p95 < 200'] } };

describe('the file of barrage run', () => {
  it('takes the scenario and campaign bodies of the API', () => {
    const file = testFileSchema.parse({ scenarios: [scenario], campaign });
    expect(file.scenarios[0]!.steps[0]!.method).toBe('GET');
    expect(file.campaign.startOffsetMs).toBe(1000);
  });

  it('names every problem at its path, in both parts', () => {
    const r = testFileSchema.safeParse({
      scenarios: [scenario, { ...scenario, steps: [{ name: 'x', url: 'ftp://x' }] }],
      campaign: { ...campaign, speedFactor: 0, extra: 1 },
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['scenarios.1.steps.0.url', 'campaign.speedFactor', 'campaign']));
  });

  it('refuses a scenario given twice and an unknown top-level key', () => {
    const twice = testFileSchema.safeParse({ scenarios: [scenario, scenario], campaign });
    expect(twice.error!.issues.map((i) => i.message)).toEqual(['scenario "browse" appears twice in the file']);
    expect(testFileSchema.safeParse({ scenarios: [], campaign, options: {} }).success).toBe(false);
  });
});
