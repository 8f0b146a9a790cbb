import type { Redis } from 'ioredis';
import { Publisher } from './publisher';

/** A Redis whose XADD answers only when told to: Redis unreachable, then back. */
function stalledRedis() {
  const waiting: (() => void)[] = [];
  const redis = { xadd: () => new Promise<string>((resolve) => waiting.push(() => resolve('1-0'))) } as unknown as Redis;
  return { redis, release: () => waiting.splice(0).forEach((r) => r()) };
}

describe('Publisher', () => {
  it('buffers up to its bound while Redis is away, counts what it drops, and says so once per outage', async () => {
    const { redis, release } = stalledRedis();
    const p = new Publisher(redis, 3);
    const said: number[] = [];
    p.onDropping = (n) => said.push(n);
    for (let i = 0; i < 5; i++) p.event({ event: 'started', campaignKey: 'c', chunkId: 'k', factoryId: 'f', run: 'r', host: 'h', at: i });
    expect(p.unsent).toBe(3);
    expect(p.dropped).toBe(2);
    expect(said).toEqual([1]);
    release();
    await p.flush(1000);
    expect(p.unsent).toBe(0);
    // A send that goes through ends the outage: the next drop is said again.
    p.event({ event: 'started', campaignKey: 'c', chunkId: 'k', factoryId: 'f', run: 'r', host: 'h', at: 9 });
    for (let i = 0; i < 3; i++) p.event({ event: 'started', campaignKey: 'c', chunkId: 'k', factoryId: 'f', run: 'r', host: 'h', at: 10 + i });
    expect(p.dropped).toBe(3);
    expect(said).toEqual([1, 3]);
  });
});
