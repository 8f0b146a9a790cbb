import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { HeadConfig } from '@barrage/config';
import { HEAD_CONFIG } from '../common/tokens.js';
import { withTimeout } from './dependency.js';

/** How long a stopping head lets a worker's running jobs (a webhook delivery, a schedule firing) end. */
const WORKER_DRAIN_MS = 10_000;

/**
 * Redis connections of the head.
 *
 * `main` serves the request path (and the head's own short commands), so every wait on it
 * is bounded: `commandTimeout` rejects a command Redis does not answer in time (Redis frozen
 * keeps its TCP connection open, so without it a request would wait for as long as Redis is
 * stopped), and a command queued while the connection is down fails after one reconnection
 * attempt (`maxRetriesPerRequest: 1`) or at its timeout, whichever comes first. The request
 * then answers 503; ioredis goes on reconnecting by itself.
 *
 * `connect()` gives a connection of its own to what blocks or must not give up: BullMQ's
 * queues and the stream reader (BullMQ needs `maxRetriesPerRequest: null`). A request that
 * waits on one of those bounds the wait itself (see QueuesService).
 */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly main: Redis;
  private readonly extra: Redis[] = [];

  constructor(@Inject(HEAD_CONFIG) private readonly config: HeadConfig) {
    this.main = new Redis(this.config.REDIS_URL, {
      lazyConnect: false,
      commandTimeout: this.config.REDIS_COMMAND_TIMEOUT_MS,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
    });
    this.main.on('error', () => undefined); // reconnects by itself; /health reports the outage
  }

  /** The bound of one request-path Redis command (ms). */
  get commandTimeoutMs(): number {
    return this.config.REDIS_COMMAND_TIMEOUT_MS;
  }

  /** A connection of its own that waits for Redis as long as it takes (blocking reads, BullMQ). */
  connect(): Redis {
    // BullMQ needs maxRetriesPerRequest null on the connections it blocks on.
    const conn = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
    conn.on('error', () => undefined); // reconnects by itself; /health reports the outage
    this.extra.push(conn);
    return conn;
  }

  /** Redis answers now (the request-path connection is up). */
  get up(): boolean {
    return this.main.status === 'ready';
  }

  /**
   * Closes a BullMQ worker for the shutdown: while Redis answers, lets its running jobs end
   * (at most WORKER_DRAIN_MS); with Redis gone they cannot be settled anyway, and waiting on
   * it kept a SIGTERM'd head alive until it was killed. Never rejects.
   */
  async closeWorker(worker: Pick<Worker, 'close' | 'disconnect'>): Promise<void> {
    if (this.up) {
      const closed = await withTimeout(worker.close(), WORKER_DRAIN_MS, 'Redis', 'closing a worker').then(() => true, () => false);
      if (closed) return;
    }
    // Not awaited: with Redis down, BullMQ's disconnect waits for a connection that never comes.
    void worker.disconnect().catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    // QUIT waits for Redis; a frozen one must not hold the shutdown up.
    await Promise.allSettled([this.main, ...this.extra].map((c) => withTimeout(c.quit(), this.config.REDIS_COMMAND_TIMEOUT_MS, 'Redis', 'QUIT').catch(() => c.disconnect())));
  }
}
