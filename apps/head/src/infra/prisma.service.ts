import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type { HeadConfig } from '@barrage/config';
import { PrismaClient } from '../generated/prisma/client.js';
import { HEAD_CONFIG } from '../common/tokens.js';

/** The head's one Prisma client, on the pg driver adapter (no native query engine needed). */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(HEAD_CONFIG) config: HeadConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.DATABASE_URL, max: 10 }) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
