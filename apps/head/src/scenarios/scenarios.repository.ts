import { Injectable } from '@nestjs/common';
import { ACTIVE_STATUSES } from '@barrage/contracts';
import { PrismaService } from '../infra/prisma.service.js';
import type { ScenarioVersion } from '../generated/prisma/client.js';

/** Stored scenario versions: queries only. */
@Injectable()
export class ScenariosRepository {
  constructor(private readonly prisma: PrismaService) {}

  latest(name: string): Promise<ScenarioVersion | null> {
    return this.prisma.scenarioVersion.findFirst({ where: { name }, orderBy: { version: 'desc' } });
  }

  /** Throws P2002 when another save took this version first. */
  create(name: string, version: number, definition: object): Promise<ScenarioVersion> {
    return this.prisma.scenarioVersion.create({ data: { name, version, definition } });
  }

  /** The newest version of each name (of `names`, or of all). */
  latestOfEach(names?: string[]): Promise<ScenarioVersion[]> {
    return this.prisma.scenarioVersion.findMany({ where: names ? { name: { in: names } } : {}, distinct: ['name'], orderBy: [{ name: 'asc' }, { version: 'desc' }] });
  }

  /** The key of a campaign not yet ended that runs the scenario, if any. */
  async activeCampaignUsing(name: string): Promise<string | null> {
    const chunk = await this.prisma.chunk.findFirst({ where: { scenario: name, campaign: { status: { in: [...ACTIVE_STATUSES] } } }, select: { campaignKey: true } });
    return chunk?.campaignKey ?? null;
  }

  async deleteAll(name: string): Promise<void> {
    await this.prisma.scenarioVersion.deleteMany({ where: { name } });
  }
}
