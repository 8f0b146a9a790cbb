import { Injectable } from '@nestjs/common';
import { abortCampaignSchema, ACTIVE_STATUSES, extendCampaignSchema, TERMINAL_STATUSES, type CampaignSummary } from '@barrage/contracts';
import { ControlService } from '../infra/control.service.js';
import { conflict, notFound, parseOr400 } from '../common/api-error.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { CampaignsService } from './campaigns.service.js';
import { OrchestratorService } from './orchestrator.service.js';

/** Manual start and abort (docs/api.md#one-campaign, docs/architecture.md#control): written to the control key, then announced. */
@Injectable()
export class CampaignControlService {
  constructor(
    private readonly control: ControlService,
    private readonly repo: CampaignsRepository,
    private readonly campaigns: CampaignsService,
    private readonly orchestrator: OrchestratorService,
  ) {}

  async start(key: string): Promise<CampaignSummary> {
    const c = await this.repo.find(key);
    if (!c) throw notFound(`campaign "${key}"`);
    if (!(await this.orchestrator.startReady(c))) throw conflict(`campaign ${key} is ${c.status}; only a ready campaign can be started`);
    return this.campaigns.get(key);
  }

  /**
   * POST /campaigns/{key}/extend: the load ends `newDurationMs` after the start instant instead
   * (longer or shorter). Written to the control key, which factories poll, so a factory that
   * missed the announcement still applies it; the timeout moves with it.
   */
  async extend(key: string, body: unknown): Promise<CampaignSummary> {
    const { newDurationMs } = parseOr400(extendCampaignSchema, body ?? {});
    const c = await this.repo.find(key);
    if (!c) throw notFound(`campaign "${key}"`);
    if (c.status !== 'running' || !c.startAt) throw conflict(`campaign ${key} is ${c.status}; only a running campaign can be extended`);
    await this.repo.setEnd(key, Math.max(c.timeoutMs ?? 0, newDurationMs));
    await this.control.send(key, { endAt: c.startAt.getTime() + newDurationMs });
    await this.repo.event(key, 'INFO', `Duration set to ${newDurationMs} ms: the load ends at ${new Date(c.startAt.getTime() + newDurationMs).toISOString()}`);
    return this.campaigns.get(key);
  }

  async abort(key: string, body: unknown): Promise<CampaignSummary> {
    const { hard } = parseOr400(abortCampaignSchema, body ?? {});
    const c = await this.campaigns.get(key);
    if (TERMINAL_STATUSES.includes(c.status)) throw conflict(`campaign ${key} is already ${c.status}`);
    await this.control.send(key, { abort: hard ? 'hard' : 'soft' });
    const moved = await this.repo.transition(key, ACTIVE_STATUSES, 'aborted', { result: 'error', failureReason: `aborted by a user (${hard ? 'hard' : 'soft'})`, ended: true });
    // Another request (or the campaign's own end) got there first: the same answer as a late abort.
    if (!moved) throw conflict(`campaign ${key} is already ${(await this.campaigns.get(key)).status}`);
    return this.campaigns.get(key);
  }
}
