import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type { HeadConfig } from '@barrage/config';
import { PrismaClient } from '../generated/prisma/client.js';
import { HEAD_CONFIG } from '../common/tokens.js';

/**
 * The head's one Prisma client, on the pg driver adapter (no native query engine needed).
 *
 * Every wait on Postgres is bounded, so a request answers 503 instead of hanging when the
 * database is down or frozen: `statement_timeout` makes a live server cancel a statement
 * (57014); `query_timeout` is the client's own bound for a server that does not answer at
 * all (a second later, so a live server's cancel normally comes first and the connection
 * stays usable; a timed-out connection is discarded by the pool); `connectionTimeoutMillis`
 * bounds opening a connection and waiting for a free one in the pool.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(HEAD_CONFIG) config: HeadConfig) {
    super({
      adapter: new PrismaPg({
        connectionString: config.DATABASE_URL,
        max: 10,
        connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
        statement_timeout: config.DB_STATEMENT_TIMEOUT_MS,
        query_timeout: config.DB_STATEMENT_TIMEOUT_MS + 1000,
        idleTimeoutMillis: 10_000,
        // Notices a peer that vanished without closing the connection (a partition).
        keepAlive: true,
      }),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
