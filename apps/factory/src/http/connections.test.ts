import { OriginConnections } from './connections';

// Clients connect lazily, on their first request: these tests open no socket.
describe('OriginConnections', () => {
  it('reuses an idle connection before opening another', async () => {
    const c = new OriginConnections('http://127.0.0.1:1', { maxConnections: 10, paceMs: 0, burst: 0, queueDepth: 1 });
    const a = c.acquire();
    c.release(a);
    expect(c.acquire()).toBe(a);
    expect(c.acquire()).not.toBe(a);
    expect(c.size).toBe(2);
    await c.close();
  });

  it('queues on open connections in turn once at the limit', async () => {
    const c = new OriginConnections('http://127.0.0.1:1', { maxConnections: 2, paceMs: 0, burst: 0, queueDepth: 1 });
    const got = [c.acquire(), c.acquire(), c.acquire(), c.acquire(), c.acquire()];
    expect(got).toEqual([0, 1, 0, 1, 0]);
    expect(c.size).toBe(2);
    // connection 1 carries two requests: idle only after both are released
    c.release(1);
    expect(c.acquire()).toBe(1);
    await c.close();
  });

  it('paces new connections: after the burst, a busy one takes the request', async () => {
    const c = new OriginConnections('http://127.0.0.1:1', { maxConnections: 100, paceMs: 60_000, burst: 2, queueDepth: 1 });
    expect([c.acquire(), c.acquire(), c.acquire(), c.acquire()]).toEqual([0, 1, 0, 1]);
    expect(c.size).toBe(2);
    await c.close();
  });

  it('becomes idle again only when every request on it is released', async () => {
    const c = new OriginConnections('http://127.0.0.1:1', { maxConnections: 1, paceMs: 0, burst: 0, queueDepth: 1 });
    c.acquire();
    c.acquire();
    c.release(0);
    expect(c.acquire()).toBe(0); // still busy: queued, not idle
    c.release(0);
    c.release(0);
    expect(c.acquire()).toBe(0);
    expect(c.size).toBe(1);
    await c.close();
  });

  it('with a queue depth, opens another socket only once each open one is that busy', async () => {
    const c = new OriginConnections('http://127.0.0.1:1', { maxConnections: 100, paceMs: 0, burst: 0, queueDepth: 2 });
    expect([c.acquire(), c.acquire(), c.acquire(), c.acquire(), c.acquire()]).toEqual([0, 0, 1, 1, 2]);
    await c.close();
  });
});
