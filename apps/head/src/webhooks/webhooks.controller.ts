import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebhooksService } from './webhooks.service.js';
import { RequireScope } from '../auth/scope.decorator.js';

/** Admin only: a webhook's URL and secret decide where campaign data goes. */
@Controller('webhooks')
@RequireScope('admin')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  async create(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const webhook = await this.webhooks.create(body);
    res.location(`/webhooks/${webhook.id}`);
    return webhook;
  }

  @Get()
  list() {
    return this.webhooks.list();
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string) {
    await this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  deliveries(@Param('id') id: string, @Query() query: unknown) {
    return this.webhooks.deliveries(id, query);
  }
}
