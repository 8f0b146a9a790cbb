import { ClusterClock } from '../clock';
import { warmUp } from './warm-up';
import { startWarmUpServer } from './warm-up-server';

describe('warmUp', () => {
  it('runs the request path the number of times asked, against its own server', async () => {
    const r = await warmUp(new ClusterClock(), { requests: 300, maxMs: 10_000, concurrency: 8 });
    expect(r.requests).toBe(300);
    expect(r.origins).toEqual([]);
  });

  it('has a server (on its own thread) that answers until closed, then refuses', async () => {
    const server = await startWarmUpServer();
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await fetch(`${server.origin}/warm-up`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('ok');
    await server.close();
    await expect(fetch(`${server.origin}/warm-up`)).rejects.toThrow();
  });
});
