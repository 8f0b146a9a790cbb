import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../infra/prisma.service.js';

/** Idempotency keys: queries only. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** True when this request is the first with (key, route): it then owns the key. */
  async claim(key: string, route: string, bodyHash: string): Promise<boolean> {
    const n = await this.prisma.$executeRaw`INSERT INTO idempotency_keys (key, route, body_hash) VALUES (${key}, ${route}, ${bodyHash}) ON CONFLICT DO NOTHING`;
    return n > 0;
  }

  find(key: string, route: string) {
    return this.prisma.idempotencyKey.findUnique({ where: { key_route: { key, route } } });
  }

  complete(key: string, route: string, status: number, response: unknown, location: string | null) {
    return this.prisma.idempotencyKey.update({
      where: { key_route: { key, route } },
      data: { status, response: response === undefined ? Prisma.JsonNull : (response as Prisma.InputJsonValue), location },
    });
  }

  /** The first request failed: a retry may try again, with any body. */
  release(key: string, route: string) {
    return this.prisma.idempotencyKey.deleteMany({ where: { key, route, status: null } });
  }

  purgeOlderThan(date: Date) {
    return this.prisma.idempotencyKey.deleteMany({ where: { createdAt: { lt: date } } });
  }
}
