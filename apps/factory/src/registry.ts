import type { Redis } from 'ioredis';
import { redisKeys, type FactoryRecord } from '@barrage/contracts';

/** The factory's record in Redis (docs/architecture.md#factory-registry): refreshed every heartbeat, expires after three missed ones. */
export class Registration {
  private timer: NodeJS.Timeout | null = null;
  readonly record: FactoryRecord;

  constructor(
    private readonly redis: Redis,
    record: Omit<FactoryRecord, 'heartbeatAt' | 'runningChunks' | 'startedAt'>,
    private readonly heartbeatMs: number,
    private readonly runningChunks: () => string[],
  ) {
    const now = new Date().toISOString();
    this.record = { ...record, runningChunks: [], startedAt: now, heartbeatAt: now };
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), this.heartbeatMs);
  }

  private async beat(): Promise<void> {
    this.record.heartbeatAt = new Date().toISOString();
    this.record.runningChunks = this.runningChunks();
    await this.redis
      .multi()
      .set(redisKeys.factory(this.record.id), JSON.stringify(this.record), 'PX', this.heartbeatMs * 3)
      .sadd(redisKeys.factoryIds, this.record.id)
      .exec();
  }

  /** A factory that stops cleanly removes itself at once instead of waiting to expire. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.multi().del(redisKeys.factory(this.record.id)).srem(redisKeys.factoryIds, this.record.id).exec();
  }
}
