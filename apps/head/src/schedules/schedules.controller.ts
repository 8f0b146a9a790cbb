import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import { SchedulesService } from './schedules.service.js';

@Controller()
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post('campaigns/schedule')
  @UseInterceptors(IdempotencyInterceptor)
  async create(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const schedule = await this.schedules.create(body);
    res.location(`/schedules/${schedule.id}`);
    return schedule;
  }

  @Get('schedules')
  search(@Query() query: unknown) {
    return this.schedules.search(query);
  }

  @Get('schedules/:id')
  get(@Param('id') id: string) {
    return this.schedules.get(id);
  }

  @Patch('schedules/:id')
  patch(@Param('id') id: string, @Body() body: unknown) {
    return this.schedules.patch(id, body);
  }

  @Delete('schedules/:id')
  @HttpCode(204)
  async remove(@Param('id') id: string) {
    await this.schedules.remove(id);
  }

  @Get('schedules/:id/campaigns')
  campaigns(@Param('id') id: string, @Query() query: unknown) {
    return this.schedules.campaigns(id, query);
  }
}
