import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisKeys, type FactoryClockState, type FactoryRecord } from '@barrage/contracts';

/** The factory's record in Redis (docs/architecture.md#factory-registry): refreshed every heartbeat, expires after three missed ones. */
export class Registration {
  private timer: NodeJS.Timeout | null = null;
  readonly record: FactoryRecord;

  constructor(
    private readonly redis: Redis,
    record: Omit<FactoryRecord, 'heartbeatAt' | 'runningChunks' | 'startedAt'>,
    private readonly heartbeatMs: number,
    private readonly runningChunks: () => string[],
    private readonly clock: (() => FactoryClockState) | null = null,
    private readonly log: Logger | null = null,
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
    this.refreshHealth();
    await this.redis
      .multi()
      .set(redisKeys.factory(this.record.id), JSON.stringify(this.record), 'PX', this.heartbeatMs * 3)
      .sadd(redisKeys.factoryIds, this.record.id)
      .exec();
  }

  /** Health as /health and GET /factories show it: degraded while the clock is less certain than its bound. */
  health(): { status: 'healthy' | 'degraded'; problems: string[]; clock?: FactoryClockState } {
    this.refreshHealth();
    return { status: this.record.health ?? 'healthy', problems: this.record.problems ?? [], ...(this.record.clock ? { clock: this.record.clock } : {}) };
  }

  private refreshHealth(): void {
    const clock = this.clock?.();
    if (!clock) return;
    const problems = clock.withinBound ? [] : [`clock uncertainty ${clock.uncertaintyMs ?? 'unknown'} ms exceeds its bound of ${clock.boundMs} ms (last sync ${clock.lastSyncAt ?? 'never'})`];
    const health = problems.length ? 'degraded' : 'healthy';
    if (health !== (this.record.health ?? 'healthy')) this.log?.warn({ clock }, health === 'degraded' ? 'clock uncertainty past its bound: factory degraded' : 'clock uncertainty back within its bound');
    this.record.clock = clock;
    this.record.health = health;
    this.record.problems = problems;
  }

  /** A factory that stops cleanly removes itself at once instead of waiting to expire. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.multi().del(redisKeys.factory(this.record.id)).srem(redisKeys.factoryIds, this.record.id).exec();
  }
}
