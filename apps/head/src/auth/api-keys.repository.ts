import { Injectable } from '@nestjs/common';
import { PrismaService } from '../infra/prisma.service.js';
import type { ApiKey as ApiKeyRow, PrismaClient } from '../generated/prisma/client.js';

/** api_keys queries. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: { name: string; scope: string; hash: string; prefix: string; expiresAt: Date | null }): Promise<ApiKeyRow> {
    return createKeyRow(this.prisma, data);
  }

  list(): Promise<ApiKeyRow[]> {
    return this.prisma.apiKey.findMany({ orderBy: { createdAt: 'desc' } });
  }

  byHash(hash: string): Promise<ApiKeyRow | null> {
    return this.prisma.apiKey.findUnique({ where: { hash } });
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const r = await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
    if (r.count > 0) return true;
    return (await this.prisma.apiKey.count({ where: { id } })) > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: at } });
  }

  /** Keys that work now: not revoked, not expired. */
  countUsable(now: Date): Promise<number> {
    return this.prisma.apiKey.count({ where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } });
  }
}

/** Shared with the CLI's bootstrap (bootstrap.ts), which has a client but no Nest container. */
export function createKeyRow(prisma: PrismaClient, data: { name: string; scope: string; hash: string; prefix: string; expiresAt: Date | null }): Promise<ApiKeyRow> {
  return prisma.apiKey.create({ data });
}
