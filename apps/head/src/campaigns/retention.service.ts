import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { TERMINAL_STATUSES } from '@barrage/contracts';
import type { HeadConfig } from '@barrage/config';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { IdempotencyRepository } from '../idempotency/idempotency.repository.js';

/** How long the first answer to an Idempotency-Key is kept for retries. */
const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/**
 * Retention (docs/architecture.md#retention): every RETENTION_SWEEP_MS, and once at start, the results of ended
 * campaigns past their retention expiry are purged, unless saved (expiry null).
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;

  constructor(
    private readonly repo: CampaignsRepository,
    private readonly idempotency: IdempotencyRepository,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.first = setTimeout(() => void this.sweep(), 5_000);
    this.timer = setInterval(() => void this.sweep(), this.config.RETENTION_SWEEP_MS);
  }

  onModuleDestroy(): void {
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
  }

  /** Also forgets Idempotency-Keys older than a day. */
  async sweep(): Promise<void> {
    try {
      let purged: string[];
      do {
        purged = await this.repo.purgeExpired(new Date(), TERMINAL_STATUSES);
        if (purged.length) this.log.info({ campaigns: purged }, 'retention: purged the results of campaigns past their retention');
      } while (purged.length === 100);
      await this.idempotency.purgeOlderThan(new Date(Date.now() - IDEMPOTENCY_TTL_MS));
    } catch (e) {
      this.log.warn({ err: e }, 'retention sweep failed; trying again at the next one');
    }
  }
}
