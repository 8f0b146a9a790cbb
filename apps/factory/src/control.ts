import type { Redis } from 'ioredis';
import { redisKeys, type CampaignControl } from '@barrage/contracts';

/**
 * A campaign's control state as a factory sees it: the hash the head writes (start instant,
 * abort, new end). Read on a short poll so a missed message is never lost (SPEC 7.4).
 */
export class ControlWatcher {
  state: CampaignControl = {};
  private timer: NodeJS.Timeout | null = null;
  private listeners: (() => void)[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly campaignKey: string,
    private readonly pollMs = 100,
  ) {}

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners = [];
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private async poll(): Promise<void> {
    try {
      const h = await this.redis.hgetall(redisKeys.control(this.campaignKey));
      const next: CampaignControl = {
        ...(h.startAt ? { startAt: Number(h.startAt) } : {}),
        ...(h.abort === 'soft' || h.abort === 'hard' ? { abort: h.abort } : {}),
        ...(h.endAt ? { endAt: Number(h.endAt) } : {}),
      };
      const changed = next.startAt !== this.state.startAt || next.abort !== this.state.abort || next.endAt !== this.state.endAt;
      this.state = next;
      if (changed) for (const l of this.listeners) l();
    } catch {
      // Redis unreachable: keep the last known state and try again on the next poll.
    }
  }
}
