import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { HeadConfig } from '@barrage/config';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import { ApiKeysService } from './api-keys.service.js';

/** What an operator must know at start-up: auth is off, or no key exists yet and how to make one. */
@Injectable()
export class AuthNotice implements OnApplicationBootstrap {
  constructor(
    private readonly keys: ApiKeysService,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.AUTH_DISABLED) {
      this.log.warn('AUTH_DISABLED=true: EVERY ROUTE IS OPEN to anyone who can reach this port, including starting load. Never do this outside a laptop.');
      return;
    }
    const usable = await this.keys.usableKeys().catch(() => null);
    if (usable === 0) this.log.warn('no API key exists yet: create the first with `barrage keys create --scope admin --name admin` (it prints the key once)');
    if (this.config.SECRETS_KEY === null) this.log.info('SECRETS_KEY is not set: scenarios with secrets are refused, and webhook signing secrets are stored unencrypted, until it is');
  }
}
