import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { notFound } from '../common/api-error.js';
import { WebService } from './web.service.js';
import { Public } from '../auth/scope.decorator.js';

/**
 * GET / and /ui/…: the web page (docs/web.md). File names carry no content hash (there is no
 * build step), so every answer is revalidated (`no-cache` + ETag → 304): a new head version is
 * never hidden behind a stale cache, and an unchanged file costs one empty answer.
 */
@Public()
@Controller()
export class WebController {
  constructor(private readonly web: WebService) {}

  @Get()
  index(@Req() req: Request, @Res() res: Response) {
    this.send('/', req, res);
  }

  @Get('ui/*path')
  asset(@Req() req: Request, @Res() res: Response) {
    this.send(req.path, req, res);
  }

  private send(urlPath: string, req: Request, res: Response): void {
    const file = this.web.file(urlPath);
    if (!file) throw notFound(`${urlPath}`);
    res.set({ 'content-type': file.contentType, 'cache-control': 'no-cache', etag: file.etag, 'x-content-type-options': 'nosniff' });
    if (req.fresh) return void res.status(304).end();
    res.send(file.body);
  }
}
