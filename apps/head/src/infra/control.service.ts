import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { redisKeys, type CampaignControl } from '@barrage/contracts';
import { LOGGER } from '../common/tokens.js';
import { RedisService } from './redis.service.js';

/** How long a control Redis did not take is tried again, and the longest pause between two tries. */
const EVENTUALLY_FOR_MS = 15 * 60_000;
const EVENTUALLY_MAX_PAUSE_MS = 5000;

/**
 * Tells a campaign's factories something (docs/architecture.md#control): written to the control hash first,
 * where a factory that missed the announcement reads it, then announced on the channel.
 *
 * The writes go through the request-path connection, so a caller waits at most
 * REDIS_COMMAND_TIMEOUT_MS. What the head decided is still delivered once Redis answers: a
 * control Redis did not take is tried again in the background. (A write sent to a frozen
 * Redis runs when it resumes anyway; this makes a Redis that closed the connection, or
 * restarted, end the same way, so that e.g. a start instant fixed in Postgres always reaches
 * the factories.)
 */
@Injectable()
export class ControlService implements OnModuleDestroy {
  private closing = false;
  /** Controls being tried again, by campaign and content: one loop each, however often they are sent. */
  private readonly pending = new Set<string>();

  constructor(
    private readonly redis: RedisService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Sends now; on failure rejects (the caller answers 503 or tries at its next tick) and keeps trying in the background. */
  async send(campaignKey: string, control: CampaignControl): Promise<void> {
    try {
      await this.write(campaignKey, control);
    } catch (err) {
      this.sendEventually(campaignKey, control);
      throw err;
    }
  }

  /**
   * Sends in the background, trying again (1 s, 2 s, … at most 5 s apart, for up to 15
   * minutes) until Redis takes it: for a message that must arrive although Redis is down
   * now, such as the abort of a campaign whose chunk jobs may still land in the queues when
   * Redis returns. Never rejects; the caller does not wait.
   */
  sendEventually(campaignKey: string, control: CampaignControl): void {
    const id = `${campaignKey}\u0000${JSON.stringify(control)}`;
    if (this.pending.has(id)) return;
    this.pending.add(id);
    const deadline = Date.now() + EVENTUALLY_FOR_MS;
    const attempt = async (n: number): Promise<void> => {
      if (this.closing) return void this.pending.delete(id);
      try {
        await this.write(campaignKey, control);
        this.pending.delete(id);
        this.log.info({ campaign: campaignKey, control, attempts: n + 1 }, 'control sent once Redis answered');
      } catch (err) {
        if (Date.now() >= deadline) {
          this.pending.delete(id);
          this.log.error({ err, campaign: campaignKey, control }, 'control could not be sent: Redis did not answer');
          return;
        }
        if (n === 0) this.log.warn({ err, campaign: campaignKey, control }, 'control not sent yet: trying again until Redis answers');
        setTimeout(() => void attempt(n + 1), Math.min(EVENTUALLY_MAX_PAUSE_MS, 1000 * (n + 1))).unref();
      }
    };
    void attempt(0);
  }

  private async write(campaignKey: string, control: CampaignControl): Promise<void> {
    const fields = Object.entries(control).flatMap(([k, v]) => [k, String(v)]);
    await this.redis.main.hset(redisKeys.control(campaignKey), ...fields);
    await this.redis.main.publish(redisKeys.controlChannel(campaignKey), Object.keys(control).join(','));
  }

  onModuleDestroy(): void {
    this.closing = true;
  }
}
