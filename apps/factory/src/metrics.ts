import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Snapshot } from '@barrage/contracts';
import { MetricsServer, type Answer } from './metrics-server.js';

/**
 * A factory's Prometheus metrics and health (docs/api.md#cluster-routes, docs/architecture.md#prometheus-metrics), on their own small HTTP server
 * (METRICS_PORT), served from a thread of its own (metrics-server.ts). Counters move once per
 * snapshot, never on the hot path.
 */
export class FactoryMetrics {
  readonly registry = new Registry();
  // No label per campaign: a long-lived factory would grow one series per campaign it ever
  // ran. Per-campaign numbers are the head's (intervals, report).
  private readonly requests = new Counter({ name: 'barrage_factory_requests_total', help: 'Requests sent', registers: [this.registry] });
  private readonly failures = new Counter({ name: 'barrage_factory_failures_total', help: 'Requests failed', registers: [this.registry] });
  private readonly dropped = new Counter({ name: 'barrage_factory_dropped_iterations_total', help: 'Open-model arrivals dropped at maxInFlight', registers: [this.registry] });
  private readonly saturated = new Counter({ name: 'barrage_factory_saturated_intervals_total', help: 'Intervals in which the generator was saturated', registers: [this.registry] });
  private server: MetricsServer | null = null;
  /** What /health answers (the factory's registration: its clock's state). */
  health: () => { status: string } = () => ({ status: 'healthy' });

  constructor(state: { chunks: () => number; active: () => number; unsent: () => number; droppedMessages: () => number }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'barrage_factory_' });
    new Gauge({ name: 'barrage_factory_chunks_running', help: 'Chunks running', registers: [this.registry], collect() { this.set(state.chunks()); } });
    new Gauge({ name: 'barrage_factory_minions_active', help: 'Minions or in-flight iterations', registers: [this.registry], collect() { this.set(state.active()); } });
    new Gauge({ name: 'barrage_factory_messages_unsent', help: 'Snapshots and chunk events buffered while Redis is unreachable', registers: [this.registry], collect() { this.set(state.unsent()); } });
    // A count that only grows: a counter (`_total`), moved up to the publisher's own count when scraped.
    let counted = 0;
    new Counter({
      name: 'barrage_factory_messages_dropped_total',
      help: 'Snapshots and chunk events dropped because the buffer was full (Redis away too long)',
      registers: [this.registry],
      collect() {
        const now = state.droppedMessages();
        if (now > counted) this.inc(now - counted);
        counted = now;
      },
    });
  }

  observe(s: Snapshot): void {
    let requests = 0;
    let failures = 0;
    for (const step of s.steps) {
      requests += step.requests;
      failures += step.failures;
    }
    this.requests.inc(requests);
    this.failures.inc(failures);
    this.dropped.inc(s.droppedIterations);
    if (s.saturated) this.saturated.inc();
  }

  /** Serves /metrics and /health on `port` (0: any free port); resolves with the port. `onLost`: as MetricsServer.listen. */
  async listen(port: number, host = '0.0.0.0', onLost?: (reason: string) => void): Promise<number> {
    const { server, port: bound } = await MetricsServer.listen(port, host, (path) => this.answer(path), onLost);
    this.server = server;
    return bound;
  }

  private async answer(path: '/metrics' | '/health'): Promise<Answer> {
    if (path === '/metrics') return { status: 200, contentType: this.registry.contentType, body: await this.registry.metrics() };
    return { status: 200, contentType: 'application/json', body: JSON.stringify(this.health()) };
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = null;
  }
}
