import type { Redis } from 'ioredis';
import { redisKeys, type ChunkEvent, type Snapshot } from '@barrage/contracts';

/**
 * Non-blocking sink of snapshots and chunk events (k6's outputs: the hot path never waits
 * on it). ioredis keeps commands in order and queues them while Redis is unreachable; the
 * count of what is still unsent bounds that queue, and `flush` waits for it on shutdown.
 */
export class Publisher {
  private pending = 0;
  private idle: (() => void)[] = [];
  /** Messages refused because `maxPending` were still unsent (Redis away for long). */
  dropped = 0;
  /** Called on the first message dropped after a send went through (a log line per outage, not per message). */
  onDropping: ((dropped: number) => void) | null = null;
  private dropping = false;
  /** Called with every snapshot handed over (the factory's metrics count them). */
  onSnapshot: ((s: Snapshot) => void) | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly maxPending = 50_000,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  snapshot(s: Snapshot): void {
    this.onSnapshot?.(s);
    this.send(JSON.stringify(s));
  }

  event(e: Omit<ChunkEvent, 'type'>): void {
    this.send(JSON.stringify({ type: 'chunk', ...e }));
  }

  private send(data: string): void {
    if (this.pending >= this.maxPending) {
      this.dropped++;
      if (!this.dropping) {
        this.dropping = true;
        this.onDropping?.(this.dropped);
      }
      return;
    }
    this.dropping = false;
    this.pending++;
    // Heads delete what they merged; the cap only bounds Redis's memory when no head runs
    // for a long time (100k snapshots ≈ a few hundred MB), at the price of the oldest ones.
    this.redis
      .xadd(redisKeys.stream, 'MAXLEN', '~', '100000', '*', 'data', data)
      .catch(this.onError)
      .finally(() => {
        this.pending--;
        if (this.pending === 0) for (const r of this.idle.splice(0)) r();
      });
  }

  /** Messages handed over and not yet acknowledged by Redis (buffered while it is away). */
  get unsent(): number {
    return this.pending;
  }

  /** Resolves once everything handed over so far reached Redis (or failed), or after `timeoutMs`. */
  flush(timeoutMs = 10_000): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.idle.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
