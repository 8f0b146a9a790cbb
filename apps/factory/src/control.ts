import type { Redis } from 'ioredis';
import { redisKeys, type CampaignControl } from '@barrage/contracts';

/**
 * The factory's one subscription to every campaign's control channel: an announcement makes
 * the watchers of that campaign read the control hash at once instead of at their next poll.
 */
export class ControlAnnouncements {
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(private readonly subscriber: Redis) {
    subscriber.on('pmessage', (_pattern: string, channel: string) => {
      const key = channel.slice(redisKeys.controlChannel('').length);
      for (const fn of this.watchers.get(key) ?? []) fn();
    });
  }

  async start(): Promise<void> {
    await this.subscriber.psubscribe(redisKeys.controlChannel('*'));
  }

  watch(campaignKey: string, fn: () => void): () => void {
    let set = this.watchers.get(campaignKey);
    if (!set) this.watchers.set(campaignKey, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.watchers.delete(campaignKey);
    };
  }

  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => undefined);
  }
}

/**
 * A campaign's control state as a factory sees it: the hash the head writes (start instant,
 * abort, new end). Read when announced, and on a short poll as well, so a missed
 * announcement is never lost (docs/architecture.md#control).
 */
export class ControlWatcher {
  state: CampaignControl = {};
  private timer: NodeJS.Timeout | null = null;
  private listeners: (() => void)[] = [];
  private unwatch: (() => void) | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly campaignKey: string,
    private readonly announcements: ControlAnnouncements | null,
    private readonly pollMs = 250,
  ) {}

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.unwatch = this.announcements?.watch(this.campaignKey, () => void this.poll()) ?? null;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unwatch?.();
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
