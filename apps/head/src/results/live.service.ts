import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { createMergeHistogram, decodeHistogram, mergeCounts, mergeInto, summarize } from '@barrage/metrics';
import { TERMINAL_STATUSES, type CampaignStatus } from '@barrage/contracts';
import { LOGGER } from '../common/tokens.js';
import { invalid, notFound } from '../common/api-error.js';
import type { Campaign, Interval } from '../generated/prisma/client.js';
import { ResultsRepository } from './results.repository.js';
import { LIVE_SETTLE_MS, firstBucket, settledUntil } from './live-window.js';

/** How often a stream looks for news in Postgres. Every head reads the same rows, so a client sees the same stream on any head. */
const POLL_MS = 500;
/** A comment line now and then keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;

/** Campaign-wide numbers summed over the intervals sent so far. */
class Cumulative {
  readonly histogram = createMergeHistogram();
  requests = 0;
  failures = 0;
  dropped = 0;
  bytesIn = 0;
  bytesOut = 0;
  statusCodes: Record<string, number> = {};

  add(r: Interval): void {
    mergeInto(this.histogram, decodeHistogram(r.histogram));
    this.requests += r.count;
    this.failures += r.failures;
    this.dropped += r.dropped;
    this.bytesIn += Number(r.bytesIn);
    this.bytesOut += Number(r.bytesOut);
    this.statusCodes = mergeCounts([this.statusCodes, r.statusCodes as Record<string, number>]);
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** The `metrics` event of one interval (the shape of Vayu's live ticks, plus the interval's own numbers). */
function metricsEvent(c: Campaign, offset: number, bucketStart: number, row: Interval | undefined, total: Cumulative) {
  const startAt = c.startAt!.getTime();
  const elapsedSeconds = Math.max(0, (bucketStart + c.resolutionMs - startAt) / 1000);
  const t = summarize(total.histogram);
  return {
    campaignKey: c.key,
    offset,
    bucketStart: new Date(bucketStart).toISOString(),
    timestamp: bucketStart + c.resolutionMs,
    elapsedSeconds: round(elapsedSeconds),
    interval: {
      requests: row?.count ?? 0,
      failures: row?.failures ?? 0,
      errorRate: row && row.count ? round(row.failures / row.count) : 0,
      rps: round(row?.rps ?? 0),
      latencyP50Ms: row?.p50 ?? 0,
      latencyP95Ms: row?.p95 ?? 0,
      latencyP99Ms: row?.p99 ?? 0,
      meanLatencyMs: round(row?.mean ?? 0),
      maxLatencyMs: row?.max ?? 0,
      minionsActive: row?.minionsActive ?? 0,
      droppedIterations: row?.dropped ?? 0,
      saturated: row?.saturated ?? false,
      statusCodes: (row?.statusCodes as Record<string, number>) ?? {},
    },
    totalRequests: total.requests,
    totalSuccess: total.requests - total.failures,
    totalErrors: total.failures,
    errorRate: total.requests ? round(total.failures / total.requests) : 0,
    currentRps: round(row?.rps ?? 0),
    avgRps: elapsedSeconds > 0 ? round(total.requests / elapsedSeconds) : 0,
    activeMinions: row?.minionsActive ?? 0,
    droppedIterations: total.dropped,
    avgLatencyMs: round(t.mean),
    latencyP50Ms: t.p50,
    latencyP95Ms: t.p95,
    latencyP99Ms: t.p99,
    bytesSent: total.bytesOut,
    bytesReceived: total.bytesIn,
    statusCodes: total.statusCodes,
  };
}

/** One client's stream: a cursor over the campaign's intervals, statuses and threshold breaches. */
class LiveStream {
  private nextOffset: number;
  private statusesSent = -1;
  private thresholdCursor = 0n;
  private readonly total = new Cumulative();
  private timer: NodeJS.Timeout | null = null;
  private lastWrite = Date.now();
  private closed = false;
  private primed = false;

  constructor(
    private readonly key: string,
    resumeAfter: number | null,
    private readonly res: Response,
    private readonly repo: ResultsRepository,
    private readonly log: Logger,
    private readonly onClose: (s: LiveStream) => void,
  ) {
    this.nextOffset = resumeAfter === null ? 0 : resumeAfter + 1;
  }

  start(): void {
    this.res.on('close', () => this.close());
    void this.poll();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.res.end();
    this.onClose(this);
  }

  private send(event: string, data: unknown, id?: number): void {
    if (this.closed) return;
    this.res.write(`event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`);
    this.lastWrite = Date.now();
  }

  private async poll(): Promise<void> {
    try {
      const done = await this.step();
      if (done) return this.close();
      if (Date.now() - this.lastWrite > KEEP_ALIVE_MS) {
        this.res.write(': keep-alive\n\n');
        this.lastWrite = Date.now();
      }
    } catch (e) {
      // A database hiccup: the stream carries on from its cursor at the next poll.
      this.log.warn({ err: e, campaign: this.key }, 'live stream poll failed');
    }
    if (!this.closed) this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  /** Sends what is new; true once the `complete` event went out. */
  private async step(): Promise<boolean> {
    const c = await this.repo.campaign(this.key);
    if (!c) {
      this.send('error', { error: { code: 'NOT_FOUND', message: `campaign "${this.key}" was deleted` } });
      return true;
    }
    this.sendStatuses(c);
    const final = this.isFinal(c, Date.now());
    if (c.startAt) await this.sendIntervals(c, final);
    await this.sendBreaches();
    if (!final) return false;
    this.send('complete', { campaignKey: c.key, status: c.status, result: c.result, failureReason: c.failureReason, resultDetails: c.resultDetails ?? [], totalRequests: this.total.requests, totalErrors: this.total.failures });
    return true;
  }

  /** The newest status when the stream opens, then every change. */
  private sendStatuses(c: Campaign): void {
    const history = c.statusHistory as { status: string; at: string }[];
    if (this.statusesSent < 0) this.statusesSent = Math.max(0, history.length - 1);
    for (; this.statusesSent < history.length; this.statusesSent++) this.send('status', history[this.statusesSent]);
  }

  /**
   * A completed campaign has every snapshot merged; an aborted or failed one may still get the
   * last snapshots of its factories for a moment after it ended.
   */
  private isFinal(c: Campaign, now: number): boolean {
    if (!TERMINAL_STATUSES.includes(c.status as CampaignStatus)) return false;
    if (c.status === 'completed' || !c.startAt || !c.endedAt) return true;
    return now >= c.endedAt.getTime() + LIVE_SETTLE_MS + c.resolutionMs;
  }

  private async sendIntervals(c: Campaign, final: boolean): Promise<void> {
    const res = c.resolutionMs;
    const base = firstBucket(c.startAt!.getTime(), res);
    if (!this.primed) {
      // Resuming after Last-Event-ID: the cumulative numbers still count what was sent before.
      this.primed = true;
      if (this.nextOffset > 0) for (const r of await this.repo.rows(this.key, { until: new Date(base + this.nextOffset * res) })) this.total.add(r);
    }
    const rows = await this.repo.rows(this.key, { since: new Date(base + this.nextOffset * res) });
    const byBucket = new Map(rows.map((r) => [r.bucketStart.getTime(), r]));
    // Live, every settled bucket is sent (empty ones too, so offsets tick on); at the end, up to the last row.
    let last = final ? rows.reduce((m, r) => Math.max(m, r.bucketStart.getTime()), base - res) : settledUntil(Date.now(), res);
    if (!final && c.endedAt) last = Math.min(last, firstBucket(c.endedAt.getTime(), res));
    for (let bucket = base + this.nextOffset * res; bucket <= last; bucket += res, this.nextOffset++) {
      const row = byBucket.get(bucket);
      if (row) this.total.add(row);
      this.send('metrics', metricsEvent(c, this.nextOffset, bucket, row, this.total), this.nextOffset);
    }
  }

  private async sendBreaches(): Promise<void> {
    for (const e of await this.repo.thresholdEvents(this.key, this.thresholdCursor)) {
      this.send('threshold', { ...(e.data as object), message: e.message });
      this.thresholdCursor = e.id;
    }
  }
}

/**
 * GET /campaigns/{key}/live (docs/metrics.md#live-stream): Server-Sent Events read from Postgres, so a client on
 * any head sees the same stream, from offset 0 (or `Last-Event-ID` + 1) and then live.
 */
@Injectable()
export class LiveService implements OnModuleDestroy {
  private readonly streams = new Set<LiveStream>();

  constructor(
    private readonly repo: ResultsRepository,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async open(key: string, lastEventId: string | undefined, res: Response): Promise<void> {
    const resumeAfter = parseLastEventId(lastEventId);
    if (!(await this.repo.campaign(key))) throw notFound(`campaign "${key}"`);
    res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const stream = new LiveStream(key, resumeAfter, res, this.repo, this.log, (s) => this.streams.delete(s));
    this.streams.add(stream);
    stream.start();
  }

  /** On shutdown, streams end so the server can close; clients reconnect with Last-Event-ID. */
  onModuleDestroy(): void {
    for (const s of [...this.streams]) s.close();
  }
}

function parseLastEventId(v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  if (!/^\d{1,9}$/.test(v)) throw invalid('Last-Event-ID must be the offset of a metrics event (a whole number ≥ 0)', 'Last-Event-ID');
  return Number(v);
}
