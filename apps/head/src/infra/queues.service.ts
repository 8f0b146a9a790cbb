import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { chunkJobId, redisKeys, type ChunkJob } from '@barrage/contracts';
import { RedisService } from './redis.service.js';
import { withTimeout } from './dependency.js';

/**
 * One BullMQ queue per zone (docs/architecture.md#queues); created on first use. The queues share a Redis
 * connection of their own (BullMQ wants `maxRetriesPerRequest: null`, which waits for Redis
 * as long as it takes), so every call a request or a loop awaits is bounded here instead, by
 * REDIS_COMMAND_TIMEOUT_MS.
 */
@Injectable()
export class QueuesService implements OnModuleDestroy {
  private readonly queues = new Map<string, Queue<ChunkJob>>();
  private conn: Redis | null = null;

  constructor(private readonly redis: RedisService) {}

  private queue(zone: string): Queue<ChunkJob> {
    let q = this.queues.get(zone);
    if (!q) {
      this.conn ??= this.redis.connect();
      q = new Queue<ChunkJob>(redisKeys.zoneQueue(zone), { connection: this.conn, prefix: redisKeys.prefix });
      q.on('error', () => undefined); // the connection reconnects by itself; callers see their own errors
      this.queues.set(zone, q);
    }
    return q;
  }

  private add(job: ChunkJob): Promise<unknown> {
    return this.queue(job.zone).add('chunk', job, {
      jobId: chunkJobId(job.chunkId),
      attempts: 1,
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  /** Enqueues a chunk; the deterministic job id makes a second enqueue harmless. */
  async enqueueChunk(job: ChunkJob): Promise<void> {
    await withTimeout(this.add(job), this.redis.commandTimeoutMs, 'Redis', 'enqueueing a chunk job');
  }

  /**
   * Enqueues chunks, all within one REDIS_COMMAND_TIMEOUT_MS. Past it this rejects with a
   * DependencyTimeoutError, but adds already sent may still land when Redis answers: the
   * caller must make such jobs harmless (the campaign's control hash says abort).
   */
  async enqueueChunks(jobs: readonly ChunkJob[]): Promise<void> {
    await withTimeout(Promise.all(jobs.map((j) => this.add(j))), this.redis.commandTimeoutMs, 'Redis', `enqueueing ${jobs.length} chunk job${jobs.length === 1 ? '' : 's'}`);
  }

  /** Removes a chunk nobody took (allocation failed, campaign aborted); a running one is left to its factory. */
  async removeWaitingChunk(zone: string, chunkId: string): Promise<void> {
    const remove = async () => {
      const job = await this.queue(zone).getJob(chunkJobId(chunkId));
      if (job && (await job.isWaiting().catch(() => false))) await job.remove().catch(() => undefined);
    };
    await withTimeout(remove(), this.redis.commandTimeoutMs, 'Redis', 'removing a waiting chunk job');
  }

  async depths(): Promise<Record<string, number>> {
    const read = async () => {
      const out: Record<string, number> = {};
      for (const [zone, q] of this.queues) out[zone] = await q.getWaitingCount();
      return out;
    };
    return withTimeout(read(), this.redis.commandTimeoutMs, 'Redis', 'reading queue depths');
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => withTimeout(q.close(), this.redis.commandTimeoutMs, 'Redis', 'closing a queue')));
  }
}
