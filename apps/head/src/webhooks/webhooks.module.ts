import { Global, Module } from '@nestjs/common';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhookQueue } from './webhook-queue.service.js';
import { WebhookEvents } from './webhook-events.service.js';
import { WebhookDeliveryWorker } from './webhook-delivery.worker.js';

/**
 * Webhooks (docs/webhooks.md). Global so that the campaign and threshold code can report
 * events through WebhookEvents without importing this module (it imports none of theirs).
 */
@Global()
@Module({
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, WebhookQueue, WebhookEvents, WebhookDeliveryWorker],
  exports: [WebhookEvents],
})
export class WebhooksModule {}
