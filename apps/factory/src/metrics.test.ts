import type { Snapshot } from '@barrage/contracts';
import { FactoryMetrics } from './metrics';

const state = { chunks: () => 1, active: () => 50, unsent: () => 0, droppedMessages: () => 0 };

async function get(port: number, path: string): Promise<{ status: number; type: string | null; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
}

describe('FactoryMetrics server (on a thread of its own)', () => {
  it('answers /metrics and /health from the main thread\'s state, 404s the rest, and is gone once closed', async () => {
    const metrics = new FactoryMetrics(state);
    let status = 'healthy';
    metrics.health = () => ({ status });
    const port = await metrics.listen(0, '127.0.0.1');
    try {
      metrics.observe({ steps: [{ requests: 7, failures: 2 }], droppedIterations: 0, saturated: false } as unknown as Snapshot);
      const m = await get(port, '/metrics');
      expect(m.status).toBe(200);
      expect(m.type).toContain('text/plain');
      expect(m.body).toMatch(/^barrage_factory_requests_total 7$/m);
      expect(m.body).toMatch(/^barrage_factory_failures_total 2$/m);
      expect(m.body).toMatch(/^barrage_factory_minions_active 50$/m);

      expect(await get(port, '/health')).toEqual({ status: 200, type: 'application/json', body: '{"status":"healthy"}' });
      status = 'degraded';
      expect((await get(port, '/health?probe=1')).body).toBe('{"status":"degraded"}');

      const other = await get(port, '/campaigns');
      expect(other.status).toBe(404);
      expect(JSON.parse(other.body)).toEqual({ error: { code: 'NOT_FOUND', message: 'not found' } });

      // A port already taken is an error at listen, not a thread left behind.
      await expect(new FactoryMetrics(state).listen(port, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await metrics.close();
    }
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
