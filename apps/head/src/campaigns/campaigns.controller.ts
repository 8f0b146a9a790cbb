import { Body, Controller, Delete, Get, Head, HttpCode, Param, Patch, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import type { Response } from 'express';
import { CampaignsService } from './campaigns.service.js';
import { CampaignControlService } from './campaign-control.service.js';

@Controller('campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly control: CampaignControlService,
  ) {}

  @Post()
  @UseInterceptors(IdempotencyInterceptor)
  async create(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const campaign = await this.campaigns.create(body);
    res.location(`/campaigns/${campaign.key}`);
    return campaign;
  }

  @Get()
  search(@Query() query: unknown) {
    return this.campaigns.search(query);
  }

  @Get(':key')
  get(@Param('key') key: string) {
    return this.campaigns.get(key);
  }

  @Head(':key')
  async exists(@Param('key') key: string, @Res() res: Response) {
    res.status((await this.campaigns.exists(key)) ? 200 : 404).end();
  }

  @Patch(':key')
  patch(@Param('key') key: string, @Body() body: unknown) {
    return this.campaigns.patch(key, body);
  }

  @Delete(':key')
  @HttpCode(204)
  async remove(@Param('key') key: string) {
    await this.campaigns.remove(key);
  }

  @Post(':key/start')
  @HttpCode(202)
  start(@Param('key') key: string) {
    return this.control.start(key);
  }

  @Post(':key/abort')
  @HttpCode(202)
  abort(@Param('key') key: string, @Body() body: unknown) {
    return this.control.abort(key, body);
  }

  @Post(':key/extend')
  @HttpCode(202)
  extend(@Param('key') key: string, @Body() body: unknown) {
    return this.control.extend(key, body);
  }

  @Post(':key/save')
  @HttpCode(200)
  save(@Param('key') key: string) {
    return this.campaigns.save(key);
  }

  @Post(':key/unsave')
  @HttpCode(200)
  unsave(@Param('key') key: string) {
    return this.campaigns.unsave(key);
  }

  @Get(':key/definition')
  definition(@Param('key') key: string) {
    return this.campaigns.definition(key);
  }

  @Get(':key/execution')
  execution(@Param('key') key: string) {
    return this.campaigns.execution(key);
  }

  @Get(':key/logs')
  logs(@Param('key') key: string) {
    return this.campaigns.logs(key);
  }

  /** The event log as text, one line per event: `2026-01-01T10:00:00.000Z INFO message`. */
  @Get(':key/logs.txt')
  async logsText(@Param('key') key: string, @Res() res: Response) {
    const events = await this.campaigns.logs(key);
    res.type('text/plain; charset=utf-8').send(events.map((e) => `${e.at} ${e.level} ${e.message}\n`).join(''));
  }
}
