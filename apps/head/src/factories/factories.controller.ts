import { Controller, Get } from '@nestjs/common';
import { FactoriesService } from './factories.service.js';

@Controller()
export class FactoriesController {
  constructor(private readonly factories: FactoriesService) {}

  @Get('factories')
  list() {
    return this.factories.live();
  }

  @Get('zones')
  zones() {
    return this.factories.zones();
  }
}
