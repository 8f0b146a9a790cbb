import { Injectable } from '@nestjs/common';
import { redisKeys, type CampaignControl } from '@barrage/contracts';
import { RedisService } from './redis.service.js';

/**
 * Tells a campaign's factories something (SPEC 7.4): written to the control hash first,
 * where a factory that missed the announcement reads it, then announced on the channel.
 */
@Injectable()
export class ControlService {
  constructor(private readonly redis: RedisService) {}

  async send(campaignKey: string, control: CampaignControl): Promise<void> {
    const fields = Object.entries(control).flatMap(([k, v]) => [k, String(v)]);
    await this.redis.main.hset(redisKeys.control(campaignKey), ...fields);
    await this.redis.main.publish(redisKeys.controlChannel(campaignKey), Object.keys(control).join(','));
  }
}
