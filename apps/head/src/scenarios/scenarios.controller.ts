import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import { ScenariosService } from './scenarios.service.js';

@Controller('scenarios')
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  @Post()
  @UseInterceptors(IdempotencyInterceptor)
  save(@Body() body: unknown) {
    return this.scenarios.save(body);
  }

  /** Declared before ':name' routes so "try" is never taken for a scenario name. */
  @Post('try')
  @HttpCode(200)
  tryUnsaved(@Body() body: unknown) {
    return this.scenarios.tryUnsaved(body);
  }

  @Post(':name/try')
  @HttpCode(200)
  trySaved(@Param('name') name: string, @Body() body: unknown) {
    return this.scenarios.trySaved(name, body);
  }

  @Get()
  list() {
    return this.scenarios.list();
  }

  @Get(':name')
  get(@Param('name') name: string) {
    return this.scenarios.get(name);
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name') name: string) {
    await this.scenarios.remove(name);
  }
}
