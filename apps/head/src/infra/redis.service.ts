import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { HeadConfig } from '@barrage/config';
import { HEAD_CONFIG } from '../common/tokens.js';

/**
 * Redis connections of the head. `main` serves commands; blocking reads of the stream get
 * their own connection so they never delay a request.
 */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly main: Redis;
  private readonly extra: Redis[] = [];

  constructor(@Inject(HEAD_CONFIG) private readonly config: HeadConfig) {
    this.main = this.connect();
  }

  connect(): Redis {
    // BullMQ needs maxRetriesPerRequest null on the connections it blocks on.
    const conn = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
    conn.on('error', () => undefined); // reconnects by itself; /health reports the outage
    if (this.main) this.extra.push(conn);
    return conn;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([this.main, ...this.extra].map((c) => c.quit()));
  }
}
