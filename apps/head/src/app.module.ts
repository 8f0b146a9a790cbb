import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { HeadConfig } from '@barrage/config';
import { HEAD_CONFIG, LOGGER } from './common/tokens.js';
import { PrismaService } from './infra/prisma.service.js';
import { RedisService } from './infra/redis.service.js';
import { QueuesService } from './infra/queues.service.js';
import { ControlService } from './infra/control.service.js';
import { ScenariosController } from './scenarios/scenarios.controller.js';
import { ScenariosService } from './scenarios/scenarios.service.js';
import { ScenariosRepository } from './scenarios/scenarios.repository.js';
import { TargetPolicy } from './scenarios/target-policy.js';
import { FactoriesController } from './factories/factories.controller.js';
import { FactoriesService } from './factories/factories.service.js';
import { CampaignsController } from './campaigns/campaigns.controller.js';
import { CampaignsService } from './campaigns/campaigns.service.js';
import { CampaignsRepository } from './campaigns/campaigns.repository.js';
import { CampaignControlService } from './campaigns/campaign-control.service.js';
import { OrchestratorService } from './campaigns/orchestrator.service.js';
import { RetentionService } from './campaigns/retention.service.js';
import { ResultsController } from './results/results.controller.js';
import { ResultsRepository } from './results/results.repository.js';
import { ReportService } from './results/report.service.js';
import { ThresholdsService } from './results/thresholds.service.js';
import { LiveService } from './results/live.service.js';
import { IngestService } from './ingest/ingest.service.js';
import { IngestRepository } from './ingest/ingest.repository.js';
import { HealthController } from './health/health.controller.js';
import { IdempotencyRepository } from './idempotency/idempotency.repository.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { DocsController } from './health/docs.controller.js';
import { MetricsController } from './health/metrics.controller.js';
import { MetricsService } from './health/metrics.service.js';
import { SchedulesController } from './schedules/schedules.controller.js';
import { SchedulesService } from './schedules/schedules.service.js';
import { SchedulesRepository } from './schedules/schedules.repository.js';
import { ScheduleQueue } from './schedules/schedule-queue.service.js';
import { ScheduleFiringService } from './schedules/schedule-firing.service.js';
import { OCCURRENCE_SOURCE, occurrenceSourceFor } from './schedules/occurrence-source.js';
import { WebModule } from './web/web.module.js';
import { AuthModule } from './auth/auth.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** Config, logger and the connections every feature uses. */
@Module({})
export class InfraModule {
  static forRoot(config: HeadConfig, log: Logger): DynamicModule {
    return {
      module: InfraModule,
      global: true,
      providers: [{ provide: HEAD_CONFIG, useValue: config }, { provide: LOGGER, useValue: log }, PrismaService, RedisService, QueuesService, ControlService],
      exports: [HEAD_CONFIG, LOGGER, PrismaService, RedisService, QueuesService, ControlService],
    };
  }
}

/** Idempotency-Key replays, for any controller's creating POST. */
@Global()
@Module({ providers: [IdempotencyRepository, IdempotencyInterceptor], exports: [IdempotencyRepository, IdempotencyInterceptor] })
export class IdempotencyModule {}

@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}

@Module({ controllers: [FactoriesController], providers: [FactoriesService], exports: [FactoriesService] })
export class FactoriesModule {}

@Module({ controllers: [ScenariosController], providers: [ScenariosService, ScenariosRepository, TargetPolicy], exports: [ScenariosService, TargetPolicy] })
export class ScenariosModule {}

/** A campaign's results: report, page, intervals, steps, errors, live stream, thresholds. */
@Module({
  controllers: [ResultsController],
  providers: [ResultsRepository, ReportService, ThresholdsService, LiveService],
  exports: [ThresholdsService],
})
export class ResultsModule {}

@Module({
  imports: [ScenariosModule, FactoriesModule, ResultsModule],
  controllers: [CampaignsController],
  providers: [CampaignsService, CampaignsRepository, CampaignControlService, OrchestratorService, RetentionService],
  exports: [CampaignsRepository],
})
export class CampaignsModule {}

@Module({ imports: [CampaignsModule, MetricsModule], providers: [IngestService, IngestRepository] })
export class IngestModule {}

@Module({ imports: [FactoriesModule, MetricsModule], controllers: [HealthController, DocsController, MetricsController] })
export class HealthModule {}

/**
 * Schedules (docs/schedules.md). A firing starts its campaign through POST /campaigns's own
 * use case, so CampaignsService is provided here too (it holds no state).
 */
@Module({
  imports: [CampaignsModule, ScenariosModule, FactoriesModule, ResultsModule],
  controllers: [SchedulesController],
  providers: [
    SchedulesService,
    SchedulesRepository,
    ScheduleQueue,
    ScheduleFiringService,
    CampaignsService,
    { provide: OCCURRENCE_SOURCE, useFactory: (config: HeadConfig) => occurrenceSourceFor(config), inject: [HEAD_CONFIG] },
  ],
})
export class SchedulesModule {}

export function appModule(config: HeadConfig, log: Logger): DynamicModule {
  return {
    module: class AppModule {},
    imports: [InfraModule.forRoot(config, log), IdempotencyModule, ScenariosModule, FactoriesModule, CampaignsModule, IngestModule, HealthModule, SchedulesModule, WebModule, AuthModule, WebhooksModule],
  };
}
