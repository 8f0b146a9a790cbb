import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { TERMINAL_STATUSES, type CampaignStatus, type CampaignSummary } from '@barrage/contracts';
import { PrismaService } from '../infra/prisma.service.js';
import { ControlService } from '../infra/control.service.js';
import { conflict, notFound, parseOr400 } from '../common/api-error.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { CampaignsService } from './campaigns.service.js';
import { OrchestratorService } from './orchestrator.service.js';

const abortSchema = z.strictObject({ hard: z.boolean().default(false) }).default({ hard: false });

/** Manual start and abort (SPEC 3.3, 7.4): written to the control key, then announced. */
@Injectable()
export class CampaignControlService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly control: ControlService,
    private readonly repo: CampaignsRepository,
    private readonly campaigns: CampaignsService,
    private readonly orchestrator: OrchestratorService,
  ) {}

  async start(key: string): Promise<CampaignSummary> {
    const c = await this.prisma.campaign.findUnique({ where: { key } });
    if (!c) throw notFound(`campaign "${key}"`);
    if (!(await this.orchestrator.startReady(c))) throw conflict(`campaign ${key} is ${c.status}; only a ready campaign can be started`);
    return this.campaigns.get(key);
  }

  async abort(key: string, body: unknown): Promise<CampaignSummary> {
    const { hard } = parseOr400(abortSchema, body ?? {});
    const c = await this.campaigns.get(key);
    if (TERMINAL_STATUSES.includes(c.status)) throw conflict(`campaign ${key} is already ${c.status}`);
    await this.control.send(key, { abort: hard ? 'hard' : 'soft' });
    const from = (['created', 'queued', 'initializing', 'ready', 'running', 'processing_metrics'] as CampaignStatus[]);
    await this.repo.transition(key, from, 'aborted', { result: 'error', failureReason: `aborted by a user (${hard ? 'hard' : 'soft'})`, ended: true });
    return this.campaigns.get(key);
  }
}
