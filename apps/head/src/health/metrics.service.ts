import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PrismaService } from '../infra/prisma.service.js';
import { QueuesService } from '../infra/queues.service.js';

/**
 * The head's Prometheus metrics (docs/architecture.md#prometheus-metrics). Gauges that describe the cluster are read when
 * scraped, so every head reports the same numbers whichever one Prometheus asks.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly snapshotsIngested = new Counter({ name: 'barrage_snapshots_ingested_total', help: 'Snapshots merged into intervals by this head', registers: [this.registry] });
  readonly duplicateSnapshots = new Counter({ name: 'barrage_snapshots_duplicate_total', help: 'Redelivered snapshots dropped by their receipt', registers: [this.registry] });
  readonly ingestLag = new Histogram({
    name: 'barrage_ingest_lag_seconds',
    help: 'From the end of a snapshot interval to its merge in Postgres',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(prisma: PrismaService, queues: QueuesService) {
    collectDefaultMetrics({ register: this.registry, prefix: 'barrage_head_' });
    new Gauge({
      name: 'barrage_campaigns',
      help: 'Campaigns by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const rows = await prisma.campaign.groupBy({ by: ['status'], _count: { _all: true } });
        this.reset();
        for (const r of rows) this.set({ status: r.status }, r._count._all);
      },
    });
    new Gauge({
      name: 'barrage_chunks_running',
      help: 'Chunks accepted or running on a factory',
      registers: [this.registry],
      async collect() {
        this.set(await prisma.chunk.count({ where: { status: { in: ['accepted', 'running'] } } }));
      },
    });
    new Gauge({
      name: 'barrage_queue_waiting',
      help: 'Chunk jobs waiting for a factory, per zone queue this head has used',
      labelNames: ['zone'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [zone, n] of Object.entries(await queues.depths())) this.set({ zone }, n);
      },
    });
  }
}
