import { redisKeys } from '@barrage/contracts';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** How long the cluster-wide row counter outlives its last use. */
const COUNTER_TTL_S = 7 * 24 * 3600;

/**
 * `unique` data rows (docs/api.md#data-rows): each row goes to one minion in the whole
 * cluster. Every chunk of the scenario reserves blocks of row indices from one Redis counter
 * (INCRBY), so chunks and factories never share a row and a takeover never replays one: the
 * counter only moves forward (rows reserved by a run that died are skipped, never reused).
 * A block is reserved before the last one runs out, so minions rarely wait on Redis.
 */
export class UniqueRows {
  /** Reserved row ranges [from, to), consumed from the front. */
  private readonly ranges: [number, number][] = [];
  private left = 0;
  /** The counter passed the last row: nothing more to reserve. */
  private drained = false;
  private reserving: Promise<void> | null = null;
  private readonly waiting: (() => void)[] = [];
  private readonly key: string;

  constructor(
    private readonly rows: Record<string, string>[],
    private readonly block: number,
    private readonly redis: Redis,
    campaignKey: string,
    scenario: string,
    private readonly log: Logger,
  ) {
    this.key = redisKeys.uniqueRows(campaignKey, scenario);
  }

  /** A row, 'exhausted' or 'pending' (then `whenRows`). */
  take(): Record<string, string> | 'exhausted' | 'pending' {
    if (this.left <= this.block / 2) this.reserve();
    const range = this.ranges[0];
    if (range !== undefined) {
      const row = this.rows[range[0]++]!;
      this.left--;
      if (range[0] >= range[1]) this.ranges.shift();
      return row;
    }
    return this.drained && this.reserving === null ? 'exhausted' : 'pending';
  }

  whenRows(fn: () => void): void {
    this.waiting.push(fn);
    this.reserve();
  }

  private reserve(): void {
    if (this.reserving !== null || this.drained) return;
    this.reserving = this.reserveBlock()
      .catch((err: unknown) => {
        // Redis unreachable: waiters retry after a pause instead of spinning.
        this.log.warn({ err: (err as Error).message }, 'could not reserve unique data rows; retrying');
        return new Promise<void>((r) => setTimeout(r, 500));
      })
      .finally(() => {
        this.reserving = null;
        for (const fn of this.waiting.splice(0)) fn();
      });
  }

  private async reserveBlock(): Promise<void> {
    const replies = await this.redis.multi().incrby(this.key, this.block).expire(this.key, COUNTER_TTL_S).exec();
    const [err, upTo] = replies![0]! as [Error | null, number];
    if (err) throw err;
    const from = upTo - this.block;
    const to = Math.min(upTo, this.rows.length);
    if (from < to) {
      this.ranges.push([from, to]);
      this.left += to - from;
    }
    if (upTo >= this.rows.length) this.drained = true;
  }
}
