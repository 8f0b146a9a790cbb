import { Module } from '@nestjs/common';
import { WebController } from './web.controller.js';
import { WebService } from './web.service.js';

/** The web page at `/` (docs/web.md): static files only; it reads the API like any client. */
@Module({ controllers: [WebController], providers: [WebService] })
export class WebModule {}
