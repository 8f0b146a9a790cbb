import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PrismaService } from '../infra/prisma.service.js';
import { RedisService } from '../infra/redis.service.js';
import { FactoriesService } from '../factories/factories.service.js';
import { Public } from '../auth/scope.decorator.js';

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), ms))]);

/** GET /health (shape of reference/krawall-api.txt): 503 when the database or Redis is down. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly factories: FactoriesService,
  ) {}

  @Get()
  async health(@Res() res: Response) {
    const [db, redis] = await Promise.all([
      within(this.prisma.$queryRawUnsafe('SELECT 1'), 2000).then(() => 'up' as const, () => 'down' as const),
      within(this.redis.main.ping(), 2000).then(() => 'up' as const, () => 'down' as const),
    ]);
    const factories = redis === 'up' ? await this.factories.live().catch(() => []) : [];
    const down = db === 'down' || redis === 'down';
    const status = down ? 'unhealthy' : factories.length === 0 ? 'degraded' : 'healthy';
    res.status(down ? 503 : 200).json({ status, services: { database: db, redis }, factories: { live: factories.length } });
  }
}
