import { createCampaignSchema, scenarioSchema, type FactoryRecord } from '@barrage/contracts';
import { allocateChunks } from './allocation';
import { ApiError } from '../common/api-error';

const factory = (id: string, zone: string, capacity = 100): FactoryRecord => ({
  id,
  zone,
  capacity,
  host: 'h',
  version: '0',
  runningChunks: [],
  startedAt: '',
  heartbeatAt: '',
});

const scenario = scenarioSchema.parse({ name: 's', steps: [{ name: 'a', url: 'http://127.0.0.1/' }] });

function allocate(body: unknown, factories: FactoryRecord[]) {
  return allocateChunks({
    campaignKey: 'k',
    campaign: createCampaignSchema.parse(body),
    scenarios: new Map([['s', { definition: scenario, version: 3 }]]),
    factories,
    resolutionMs: 1000,
  });
}

describe('allocateChunks', () => {
  it('splits 200 minions at 45/55 into exactly 90 and 110', () => {
    const jobs = allocate({ name: 'c', scenarios: { s: { minionsCount: 200, zones: { a: 45, b: 55 } } } }, [factory('f1', 'a'), factory('f2', 'b')]);
    expect(jobs.map((j) => [j.zone, j.minions])).toEqual([['a', 90], ['b', 110]]);
    expect(jobs.map((j) => j.chunkId)).toEqual(['k:s:a:0', 'k:s:b:0']);
    expect(jobs[0]!.scenarioVersion).toBe(3);
  });

  it('splits a zone over its factories by capacity, exactly', () => {
    const jobs = allocate({ name: 'c', scenarios: { s: { minionsCount: 101, zones: { a: 100 } } } }, [factory('f1', 'a', 100), factory('f2', 'a', 300)]);
    expect(jobs.map((j) => j.minions)).toEqual([25, 76]);
  });

  it('without zones, spreads over every live factory by capacity', () => {
    const jobs = allocate({ name: 'c', scenarios: { s: { minionsCount: 30 } } }, [factory('f1', 'a', 100), factory('f2', 'b', 200)]);
    expect(jobs.map((j) => [j.zone, j.minions])).toEqual([['a', 10], ['b', 20]]);
  });

  it('refuses a zone without a live factory, naming it', () => {
    expect.assertions(3);
    try {
      allocate({ name: 'c', scenarios: { s: { zones: { a: 50, ghost: 50 } } } }, [factory('f1', 'a')]);
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).status).toBe(400);
      expect((e as ApiError).details).toEqual([{ path: 'scenarios.s.zones.ghost', message: 'zone "ghost" of scenario s has no live factory' }]);
    }
  });

  it('refuses when no factory is live at all', () => {
    expect(() => allocate({ name: 'c', scenarios: { s: {} } }, [])).toThrow(/no live factory/);
  });

  it('gives no job to a chunk whose share is empty', () => {
    const jobs = allocate({ name: 'c', scenarios: { s: { minionsCount: 1, zones: { a: 50, b: 50 } } } }, [factory('f1', 'a'), factory('f2', 'b')]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.minions).toBe(1);
  });

  it('refuses a looping scenario that nothing would ever stop', () => {
    const looping = scenarioSchema.parse({ name: 's', loop: true, steps: [{ name: 'a', url: 'http://127.0.0.1/' }] });
    const run = (timeoutMs?: number) =>
      allocateChunks({
        campaignKey: 'k',
        campaign: createCampaignSchema.parse({ name: 'c', timeoutMs, scenarios: { s: { minionsCount: 2 } } }),
        scenarios: new Map([['s', { definition: looping, version: 1 }]]),
        factories: [factory('f1', 'a')],
        resolutionMs: 1000,
      });
    expect(() => run()).toThrow(/set timeoutMs/);
    expect(run(5000)[0]!.replay).toBe(true);
  });
});
