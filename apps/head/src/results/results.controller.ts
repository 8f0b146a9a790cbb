import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { parseOr400 } from '../common/api-error.js';
import { REPORT_PAGE_CSP, renderReportPage } from '../reports/report-page.js';
import { intervalsCsv } from './csv.js';
import { LiveService } from './live.service.js';
import { ReportService } from './report.service.js';

const stepQuerySchema = z.strictObject({ scenario: z.string().min(1).max(100).optional() });
const liveQuerySchema = z.strictObject({ lastEventId: z.string().max(20).optional() });

/** A campaign's results: report (JSON and page), intervals, steps, errors, distribution, live stream. */
@Controller('campaigns')
export class ResultsController {
  constructor(
    private readonly reports: ReportService,
    private readonly live: LiveService,
  ) {}

  @Get(':key/report')
  report(@Param('key') key: string) {
    return this.reports.report(key);
  }

  @Get(':key/report.html')
  async reportPage(@Param('key') key: string, @Res() res: Response) {
    const report = await this.reports.report(key);
    const extras = await this.reports.pageExtras(key);
    // The page's own policy (its inline script pinned by hash) replaces the head's default one.
    res.setHeader('Content-Security-Policy', REPORT_PAGE_CSP);
    res.type('text/html; charset=utf-8').send(renderReportPage({ report, ...extras }));
  }

  @Get(':key/intervals')
  intervals(@Param('key') key: string, @Query() query: unknown) {
    return this.reports.intervals(key, query);
  }

  @Get(':key/intervals.csv')
  async intervalsCsv(@Param('key') key: string, @Query() query: unknown, @Res() res: Response) {
    sendCsv(res, `${key}-intervals.csv`, intervalsCsv(await this.reports.intervals(key, query)));
  }

  /** Every interval row of every resource (and roll-up), for spreadsheets. */
  @Get(':key/results.csv')
  async resultsCsv(@Param('key') key: string, @Res() res: Response) {
    sendCsv(res, `${key}-results.csv`, intervalsCsv(await this.reports.allIntervals(key)));
  }

  @Get(':key/steps')
  steps(@Param('key') key: string) {
    return this.reports.steps(key);
  }

  @Get(':key/steps/:step')
  step(@Param('key') key: string, @Param('step') step: string, @Query() query: unknown) {
    const { scenario } = parseOr400(stepQuerySchema, query, 'query');
    return this.reports.step(key, step, scenario);
  }

  @Get(':key/errors')
  errors(@Param('key') key: string) {
    return this.reports.errors(key);
  }

  @Get(':key/distribution')
  distribution(@Param('key') key: string) {
    return this.reports.distribution(key);
  }

  /** Server-Sent Events; `Last-Event-ID` (or `?lastEventId=`) resumes after that offset. */
  @Get(':key/live')
  async liveStream(@Param('key') key: string, @Headers('last-event-id') lastEventId: string | undefined, @Query() query: unknown, @Res() res: Response) {
    const q = parseOr400(liveQuerySchema, query, 'query');
    await this.live.open(key, lastEventId ?? q.lastEventId, res);
  }
}

function sendCsv(res: Response, filename: string, body: string): void {
  res.type('text/csv; charset=utf-8').set('content-disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`).send(body);
}
