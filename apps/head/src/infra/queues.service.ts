import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { chunkJobId, redisKeys, type ChunkJob } from '@barrage/contracts';
import { RedisService } from './redis.service.js';

/** One BullMQ queue per zone (SPEC 7.2); created on first use. */
@Injectable()
export class QueuesService implements OnModuleDestroy {
  private readonly queues = new Map<string, Queue<ChunkJob>>();

  constructor(private readonly redis: RedisService) {}

  private queue(zone: string): Queue<ChunkJob> {
    let q = this.queues.get(zone);
    if (!q) {
      q = new Queue<ChunkJob>(redisKeys.zoneQueue(zone), { connection: this.redis.main, prefix: redisKeys.prefix });
      this.queues.set(zone, q);
    }
    return q;
  }

  /** Enqueues a chunk; the deterministic job id makes a second enqueue harmless. */
  async enqueueChunk(job: ChunkJob): Promise<void> {
    await this.queue(job.zone).add('chunk', job, {
      jobId: chunkJobId(job.chunkId),
      attempts: 1,
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  /** Removes a chunk nobody took (allocation failed, campaign aborted); a running one is left to its factory. */
  async removeWaitingChunk(zone: string, chunkId: string): Promise<void> {
    const job = await this.queue(zone).getJob(chunkJobId(chunkId));
    if (job && (await job.isWaiting().catch(() => false))) await job.remove().catch(() => undefined);
  }

  async depths(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [zone, q] of this.queues) out[zone] = await q.getWaitingCount();
    return out;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }
}
